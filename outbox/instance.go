package outbox

import (
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
// instance at all, only the primary key and the event's metadata. A field
// tagged "sensitive" is sent (handlers get it) but operator tools (the
// /debug/signals durable panel) never show its value ([Sensitive]).
const TagName = "signals"

// typeInfo is what MarshalInstance learns once per type.
type typeInfo struct {
	thin       bool
	hidden     map[string]bool // Go names of fields tagged "-"
	hiddenJSON map[string]bool // their JSON names
	sensitive  map[string]bool // Go and JSON names of fields tagged "sensitive"
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
	if ti.thin {
		return nil, nil
	}
	// encoding/json writes the instance (its field conflicts, omitempty,
	// custom marshalers and all); the hidden fields are then cut out of the
	// top-level object.
	b, err := json.Marshal(v)
	if err != nil || len(ti.hiddenJSON) == 0 {
		return b, err
	}
	return cutFields(b, ti.hiddenJSON), nil
}

// cutFields returns the JSON object b without its members named in
// hidden. b is what encoding/json wrote: valid and compact. Anything that
// is not an object (a custom marshaler's output) is returned as it is.
func cutFields(b []byte, hidden map[string]bool) []byte {
	if len(b) < 2 || b[0] != '{' {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, '{')
	s := scanner{b: b, i: 1}
	for {
		s.blank()
		if s.i >= len(b) || b[s.i] != '"' {
			break
		}
		start := s.i
		ks, ke, esc, err := s.str()
		if err != nil {
			return b
		}
		if s.expect(':', "") != nil {
			return b
		}
		if _, _, err := s.value(); err != nil {
			return b
		}
		if !hidden[text(b[ks:ke], esc)] {
			if len(out) > 1 {
				out = append(out, ',')
			}
			out = append(out, b[start:s.i]...)
		}
		if s.blank(); s.i < len(b) && b[s.i] == ',' {
			s.i++
		}
	}
	return append(out, '}')
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

// Sensitive reports whether the field name (its Go name, as in an
// envelope's Changed, or its JSON name, as in its Instance) of the model
// type t is tagged signals:"sensitive" (see [TagName]): a value operator
// tools must not show.
func Sensitive(t reflect.Type, name string) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && infoOf(t).sensitive[name]
}

// IsThin reports whether the model type t is thin (see [TagName]).
func IsThin(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && infoOf(t).thin
}

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{hidden: map[string]bool{}, hiddenJSON: map[string]bool{}, sensitive: map[string]bool{}}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get(TagName)
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			switch {
			case sf.Name == "_":
				if tag == "thin" {
					ti.thin = true
				}
			case tag == "-":
				ti.hidden[sf.Name] = true
				if name == "" {
					name = sf.Name
				}
				ti.hiddenJSON[name] = true
			case tag == "sensitive":
				ti.sensitive[sf.Name] = true
				if name != "" {
					ti.sensitive[name] = true
				}
			case sf.Anonymous && name == "":
				ft := sf.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
				}
			}
		}
	}
	walk(t)
	actual, _ := typeCache.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}
