package assoc

import (
	"context"
	"reflect"

	"gorm.io/gorm/schema"
)

// Tuple reads the values of refs' fields (PrimaryKey, or ForeignKey when
// foreign) from the struct v, converted to the types of the key fields.
func Tuple(ctx context.Context, v reflect.Value, refs []*schema.Reference, foreign bool) []any {
	out := make([]any, len(refs))
	for i, ref := range refs {
		f := ref.PrimaryKey
		if foreign {
			f = ref.ForeignKey
		}
		val, _ := f.ValueOf(ctx, v)
		out[i] = Convert(val, ref.PrimaryKey.FieldType)
	}
	return out
}

// Convert returns v as type t when it is of another, convertible type (a
// custom join model may declare its key columns as int where the model has
// uint).
func Convert(v any, t reflect.Type) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Type() == t || !rv.Type().ConvertibleTo(t) {
		return v
	}
	return rv.Convert(t).Interface()
}
