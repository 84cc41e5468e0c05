// Package key is the one representation of a row's key in signalsgorm: the
// values of its primary key (or of the columns a relation references),
// made comparable so that rows read back from any driver match the values
// a user set in Go.
//
// # Equality
//
// Two keys are equal when they have as many values and the values at each
// position are equal after normalising them:
//
//   - pointers are followed and driver.Valuer values replaced by what they
//     store (sql.NullInt64{Int64: 1, Valid: true} is 1, a nil pointer or
//     an invalid Null* is NULL);
//   - every integer type is its numeric value: int64(1), int32(1) and
//     uint(1) are one key;
//   - string and []byte are their text, and a text that is the canonical
//     decimal form of an integer ("1", "-42", not "01" or "+1") is that
//     integer, so []byte("1") from a driver that returns integers as text
//     equals int64(1) from another;
//   - time.Time values are equal when they are the same instant;
//   - anything else is compared by its fmt text.
//
// Keys are only ever compared within one column (or tuple of columns), so
// the text rule never makes two distinct values of one column equal: the
// canonical decimal form is unique.
package key

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// kind tags what a Key holds.
type kind uint8

const (
	none  kind = iota // the zero Key: no key at all
	null              // one NULL value
	num               // one integer in int64 range (n)
	big               // one integer above math.MaxInt64 (n)
	text              // one text, or an instant or other value as text (s)
	tuple             // several values, encoded in s
)

// Key is a row's key: comparable with == and usable as a map key. The zero
// Key stands for "no key" (a row not saved yet) and equals no key built by
// [New].
type Key struct {
	s    string
	n    uint64
	kind kind
}

// New returns the key of the values of a row's key columns, in order.
func New(vals []any) Key {
	if len(vals) == 1 {
		return one(vals[0])
	}
	var b strings.Builder
	for _, v := range vals {
		k := one(v)
		switch k.kind {
		case null:
			b.WriteByte('0')
		case num:
			b.WriteByte('i')
			b.WriteString(strconv.FormatInt(int64(k.n), 10))
		case big:
			b.WriteByte('u')
			b.WriteString(strconv.FormatUint(k.n, 10))
		default:
			b.WriteByte('s')
			b.WriteString(strconv.Itoa(len(k.s)))
			b.WriteByte(':')
			b.WriteString(k.s)
		}
		b.WriteByte(';')
	}
	return Key{s: b.String(), kind: tuple}
}

// One returns the key of a row whose key is one column of value v: New
// of one value, without the slice.
func One(v any) Key { return one(v) }

// one normalises a single value.
func one(v any) Key {
	switch x := v.(type) { // the common cases, without reflection
	case int64:
		return Key{n: uint64(x), kind: num}
	case int:
		return Key{n: uint64(int64(x)), kind: num}
	case uint:
		return unsigned(uint64(x))
	case string:
		return fromText(x)
	case nil:
		return Key{kind: null}
	}
	v = Deref(v)
	switch x := v.(type) {
	case nil:
		return Key{kind: null}
	case []byte:
		return fromText(string(x))
	case time.Time:
		return Key{s: x.UTC().Format(time.RFC3339Nano), kind: text}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return Key{n: uint64(rv.Int()), kind: num}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return unsigned(rv.Uint())
	case reflect.String:
		return fromText(rv.String())
	}
	return Key{s: fmt.Sprint(v), kind: text}
}

func unsigned(u uint64) Key {
	if u > math.MaxInt64 {
		return Key{n: u, kind: big}
	}
	return Key{n: u, kind: num}
}

// fromText returns s as an integer when it is one in canonical decimal
// form, else as text.
func fromText(s string) Key {
	if canonicalInt(s) {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Key{n: uint64(n), kind: num}
		}
		if s[0] != '-' {
			if u, err := strconv.ParseUint(s, 10, 64); err == nil {
				return Key{n: u, kind: big}
			}
		}
	}
	return Key{s: s, kind: text}
}

// canonicalInt reports whether s is written as strconv.FormatInt writes:
// an optional minus, then digits without a leading zero ("0" alone).
func canonicalInt(s string) bool {
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
		if d == "0" {
			return false
		}
	}
	if len(d) == 0 || len(d) > 20 || len(d) > 1 && d[0] == '0' {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// IsZero reports whether k is the zero Key, no key at all.
func (k Key) IsZero() bool { return k.kind == none }

// String renders k for messages: an integer in decimal, a text as is,
// NULL as "NULL", several values as the encoded tuple.
func (k Key) String() string {
	switch k.kind {
	case none:
		return ""
	case null:
		return "NULL"
	case num:
		return strconv.FormatInt(int64(k.n), 10)
	case big:
		return strconv.FormatUint(k.n, 10)
	case tuple:
		return "(" + k.s + ")"
	}
	return k.s
}

// Deref returns what v stands for: the value behind pointers, or what a
// driver.Valuer stores; nil for a nil pointer or a NULL Valuer.
func Deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		if vl, ok := v.(driver.Valuer); ok {
			return valued(vl, v)
		}
		rv = rv.Elem()
		v = rv.Interface()
	}
	if vl, ok := v.(driver.Valuer); ok {
		return valued(vl, v)
	}
	return v
}

func valued(vl driver.Valuer, v any) any {
	dv, err := vl.Value()
	if err != nil {
		return v
	}
	return dv
}

// IsNull reports whether v is NULL: nil, a nil pointer or a NULL Valuer.
func IsNull(v any) bool { return Deref(v) == nil }
