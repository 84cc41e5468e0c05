package signalsgorm

import (
	"bytes"
	"cmp"
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// reserveParams is kept free in each statement for the parameters of
// conditions other than the IN list (polymorphic types, soft deletes).
const reserveParams = 64

// paramLimit returns the number of bind parameters a statement may use on
// db's dialect.
func paramLimit(db *gorm.DB) int {
	switch db.Dialector.Name() {
	case "postgres", "mysql":
		return 65535
	case "sqlite":
		var v string
		if err := db.Raw("SELECT sqlite_version()").Scan(&v).Error; err == nil && versionAtLeast(v, 3, 32) {
			return 32766
		}
	}
	return 999
}

func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	return err1 == nil && err2 == nil && (ma > major || ma == major && mi >= minor)
}

// chunkSize returns how many tuples of width columns fit in one statement.
func chunkSize(limit, width int) int {
	n := (limit - reserveParams) / max(width, 1)
	return max(n, 1)
}

// chunks splits s into slices of at most n elements.
func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// keyOf returns a comparable key for the values of a key: equal for equal
// values whatever their Go types (uint and *int64 foreign keys match).
func keyOf(vals []any) any {
	if len(vals) == 1 {
		if k, ok := scalarKey(vals[0]); ok {
			return k
		}
	}
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(0)
		}
		if k, ok := scalarKey(v); ok {
			v = k
		}
		fmt.Fprintf(&b, "%T:%v", v, v)
	}
	return b.String()
}

// scalarKey returns integers as int64 (or uint64 beyond its range) and
// strings as string, after dereferencing.
func scalarKey(v any) (any, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case string:
		return x, true
	}
	v = deref(v)
	rv := reflect.ValueOf(v)
	switch {
	case !rv.IsValid():
		return nil, true
	case isInt(rv):
		return rv.Int(), true
	case isUint(rv):
		if u := rv.Uint(); u > math.MaxInt64 {
			return u, true
		}
		return int64(rv.Uint()), true
	case rv.Kind() == reflect.String:
		return rv.String(), true
	}
	return nil, false
}

// deref returns what a pointer or driver.Valuer stands for.
func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
		v = rv.Interface()
	}
	if vl, ok := v.(driver.Valuer); ok {
		if dv, err := vl.Value(); err == nil {
			return dv
		}
	}
	return v
}

// compareKeys orders primary key values: numbers numerically, strings and
// bytes lexically, times chronologically, anything else by its text.
func compareKeys(a, b []any) int {
	for i := range a {
		if c := compareValue(deref(a[i]), deref(b[i])); c != 0 {
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
