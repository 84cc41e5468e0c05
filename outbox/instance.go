package outbox

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// TagName is the struct tag that shapes the instance an envelope carries:
//
//	type User struct {
//		ID       uint
//		Email    string
//		Password string `signals:"-"`    // never leaves the process
//	}
//
//	type AuditLog struct {
//		_    struct{} `signals:"thin"` // events carry the key, not the row
//		ID   uint
//		Body []byte
//	}
//
// A field tagged "-" is left out of the instance (and of the changed
// fields); a blank field tagged "thin" makes the model's events thin: no
// instance at all, only the primary key and the event's metadata.
const TagName = "signals"

// typeInfo is what MarshalInstance learns once per type.
type typeInfo struct {
	plain  bool // no signals tag anywhere: encoding/json as it is
	thin   bool
	fields []fieldInfo
	hidden map[string]bool // Go names of fields tagged "-"
}

type fieldInfo struct {
	index     []int
	name      string // JSON name
	omitEmpty bool
}

var typeCache sync.Map // reflect.Type → *typeInfo

// MarshalInstance returns the JSON of a model instance (a struct or a
// pointer to one) as an envelope carries it: encoding/json's form, without
// the fields tagged signals:"-". It returns nil, and no error, for a thin
// model (see [TagName]) and for a nil pointer. Only the model's own fields
// (and those of its embedded structs) are looked at for tags; nested
// structs are written by encoding/json.
func MarshalInstance(v any) (json.RawMessage, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return json.Marshal(v)
	}
	ti := infoOf(rv.Type())
	switch {
	case ti.thin:
		return nil, nil
	case ti.plain:
		return json.Marshal(rv.Interface())
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	for _, f := range ti.fields {
		fv, ok := fieldByIndex(rv, f.index)
		if !ok || f.omitEmpty && fv.IsZero() {
			continue
		}
		b, err := json.Marshal(fv.Interface())
		if err != nil {
			return nil, err
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(f.name)
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(b)
		n++
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Hidden reports whether the struct field name (a Go field name) of the
// model of type t is tagged signals:"-", so that a change of it must not be
// sent either.
func Hidden(t reflect.Type, name string) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	return infoOf(t).hidden[name]
}

// IsThin reports whether the model type t is thin (see [TagName]).
func IsThin(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && infoOf(t).thin
}

func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 {
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return reflect.Value{}, false
				}
				v = v.Elem()
			}
		}
		v = v.Field(x)
	}
	return v, true
}

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{hidden: map[string]bool{}}
	tagged := false
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get(TagName)
			if tag != "" {
				tagged = true
			}
			if sf.Name == "_" {
				if tag == "thin" {
					ti.thin = true
				}
				continue
			}
			if tag == "-" {
				ti.hidden[sf.Name] = true
				continue
			}
			jsonTag := sf.Tag.Get("json")
			if jsonTag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(jsonTag, ",")
			idx := append(append([]int(nil), index...), i)
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				walk(ft, idx)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if seen[name] {
				continue // the shallower field wins, as in encoding/json
			}
			seen[name] = true
			ti.fields = append(ti.fields, fieldInfo{index: idx, name: name, omitEmpty: strings.Contains(opts, "omitempty")})
		}
	}
	walk(t, nil)
	ti.plain = !tagged
	actual, _ := typeCache.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}
