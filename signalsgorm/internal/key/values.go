package key

import (
	"context"
	"fmt"
	"reflect"

	"gorm.io/gorm/schema"
)

// Values reads the values of fields (a model's primary fields, usually)
// from the struct v, or a pointer to it (all nil for a nil pointer).
func Values(ctx context.Context, fields []*schema.Field, v reflect.Value) []any {
	vals := make([]any, len(fields))
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return vals
		}
		v = v.Elem()
	}
	for i, f := range fields {
		vals[i], _ = f.ValueOf(ctx, v)
	}
	return vals
}

// Of returns the key of the struct v (or a pointer to it) made of the
// values of fields.
func Of(ctx context.Context, fields []*schema.Field, v reflect.Value) Key {
	return New(Values(ctx, fields, v))
}

// Event returns a key as events carry it: the value of a one-column key,
// the tuple of values of a composite one.
func Event(vals []any) any {
	if len(vals) == 1 {
		return vals[0]
	}
	return vals
}

// Text renders one key value for envelopes and messages: the text of a
// fmt.Stringer (a UUID), else its fmt form; empty for NULL.
func Text(v any) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return ""
	}
	if s, ok := rv.Interface().(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprint(rv.Interface())
}
