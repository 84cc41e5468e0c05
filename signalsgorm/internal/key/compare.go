package key

import (
	"bytes"
	"cmp"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Compare orders the values of two keys of one model, position by
// position: numbers numerically, strings and bytes lexically, times
// chronologically, anything else by its fmt text.
func Compare(a, b []any) int {
	for i := range a {
		if c := compareValue(Deref(a[i]), Deref(b[i])); c != 0 {
			return c
		}
	}
	return 0
}

func compareValue(a, b any) int {
	ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
	if ra.IsValid() && rb.IsValid() {
		switch {
		case isInt(ra) && isInt(rb):
			return cmp.Compare(ra.Int(), rb.Int())
		case isUint(ra) && isUint(rb):
			return cmp.Compare(ra.Uint(), rb.Uint())
		case isFloat(ra) && isFloat(rb):
			return cmp.Compare(ra.Float(), rb.Float())
		case ra.Kind() == reflect.String && rb.Kind() == reflect.String:
			return strings.Compare(ra.String(), rb.String())
		}
	}
	switch x := a.(type) {
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func isInt(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

func isUint(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

func isFloat(v reflect.Value) bool {
	return v.Kind() == reflect.Float32 || v.Kind() == reflect.Float64
}
