package modelsignals

import (
	"reflect"
	"slices"
	"sort"
)

// Change is the change of one field: its value when the object was loaded
// (or last saved) and the value being written.
type Change struct {
	Field string
	Old   any
	New   any
}

// Changes lists the fields a save changes, sorted by field name. It is nil
// when the model's changes are not tracked.
type Changes []Change

// Get returns the change of field, if it changed.
func (c Changes) Get(field string) (Change, bool) {
	i := sort.Search(len(c), func(i int) bool { return c[i].Field >= field })
	if i < len(c) && c[i].Field == field {
		return c[i], true
	}
	return Change{}, false
}

// Has reports whether field changed.
func (c Changes) Has(field string) bool {
	_, ok := c.Get(field)
	return ok
}

// Fields returns the names of the changed fields.
func (c Changes) Fields() []string {
	out := make([]string, len(c))
	for i, ch := range c {
		out[i] = ch.Field
	}
	return out
}

// Changed reports whether the save changes field, and from what to what:
//
//	if old, new, ok := ev.Changed("Status"); ok { ... }
//
// It needs change tracking (see the ORM adapter); without it, ok is false.
func (e SaveEvent) Changed(field string) (old, new any, ok bool) {
	ch, ok := e.Changes.Get(field)
	return ch.Old, ch.New, ok
}

// Diff compares two lists of field values (same fields, same order) and
// returns the changes, sorted by field name. ORM adapters use it.
func Diff(fields []string, old, new []any) Changes {
	var out Changes
	for i, f := range fields {
		if !Equal(old[i], new[i]) {
			out = append(out, Change{Field: f, Old: old[i], New: new[i]})
		}
	}
	slices.SortFunc(out, func(a, b Change) int {
		switch {
		case a.Field < b.Field:
			return -1
		case a.Field > b.Field:
			return 1
		}
		return 0
	})
	return out
}

// Equal compares field values: with their Equal method when they have one
// (time.Time, so that the same instant in two locations is equal), by
// dereferencing pointers, and otherwise with reflect.DeepEqual.
func Equal(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for va.Kind() == reflect.Pointer && !va.IsNil() {
		va = va.Elem()
	}
	for vb.Kind() == reflect.Pointer && !vb.IsNil() {
		vb = vb.Elem()
	}
	if !va.IsValid() || !vb.IsValid() {
		return va.IsValid() == vb.IsValid() || isNilish(va) && isNilish(vb)
	}
	if va.Type() == vb.Type() {
		if m := va.MethodByName("Equal"); m.IsValid() && m.Type().NumIn() == 1 && m.Type().In(0) == vb.Type() &&
			m.Type().NumOut() == 1 && m.Type().Out(0).Kind() == reflect.Bool {
			return m.Call([]reflect.Value{vb})[0].Bool()
		}
		return reflect.DeepEqual(va.Interface(), vb.Interface())
	}
	return false
}

func isNilish(v reflect.Value) bool {
	return !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil())
}
