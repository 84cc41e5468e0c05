package key

import (
	"database/sql"
	"testing"
	"time"
)

type id string

func (i id) String() string { return "id:" + string(i) }

func TestNewEquality(t *testing.T) {
	one := int64(1)
	var nilPtr *int64
	now := time.Now()
	equal := [][2][]any{
		{{int64(1)}, {int32(1)}},
		{{int64(1)}, {uint(1)}},
		{{int64(1)}, {&one}},
		{{int64(1)}, {[]byte("1")}},
		{{int64(1)}, {"1"}},
		{{int64(-42)}, {"-42"}},
		{{int64(1)}, {sql.NullInt64{Int64: 1, Valid: true}}},
		{{nil}, {nilPtr}},
		{{nil}, {sql.NullInt64{}}},
		{{"abc"}, {[]byte("abc")}},
		{{"abc"}, {id("abc")}},
		{{uint64(1 << 63)}, {"9223372036854775808"}},
		{{now}, {now.In(time.FixedZone("x", 3600))}},
		{{int64(1), "a"}, {uint8(1), []byte("a")}},
	}
	for _, c := range equal {
		if a, b := New(c[0]), New(c[1]); a != b {
			t.Errorf("New(%#v) = %v, New(%#v) = %v: want equal", c[0], a, c[1], b)
		}
	}
	differ := [][2][]any{
		{{int64(1)}, {"01"}},
		{{int64(1)}, {"+1"}},
		{{"0"}, {"-0"}},
		{{int64(0)}, {nil}},
		{{""}, {nil}},
		{{int64(1), int64(2)}, {int64(12)}},
		{{"a;", "b"}, {"a", ";b"}},
		{{"1:a"}, {"1", "a"}},
		{{uint64(1 << 63)}, {int64(-1 << 63)}},
	}
	for _, c := range differ {
		if a, b := New(c[0]), New(c[1]); a == b {
			t.Errorf("New(%#v) = New(%#v) = %v: want different", c[0], c[1], a)
		}
	}
	if !(Key{}).IsZero() || New([]any{nil}).IsZero() || New([]any{int64(0)}).IsZero() {
		t.Error("IsZero")
	}
}

func TestString(t *testing.T) {
	for _, c := range []struct {
		k    Key
		want string
	}{
		{Key{}, ""}, {New([]any{nil}), "NULL"}, {New([]any{int32(-3)}), "-3"}, {New([]any{"x"}), "x"},
		{New([]any{uint64(1 << 63)}), "9223372036854775808"}, {New([]any{int64(1), "ab"}), "(i1;s2:ab;)"},
	} {
		if got := c.k.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.k, got, c.want)
		}
	}
}

func TestCompare(t *testing.T) {
	t0 := time.Unix(0, 0)
	for _, c := range []struct {
		a, b []any
		want int
	}{
		{[]any{int64(2)}, []any{int64(10)}, -1},
		{[]any{uint(10)}, []any{uint(2)}, 1},
		{[]any{"b"}, []any{"a"}, 1},
		{[]any{[]byte("a")}, []any{[]byte("a")}, 0},
		{[]any{t0}, []any{t0.Add(time.Second)}, -1},
		{[]any{int64(1), "b"}, []any{int64(1), "a"}, 1},
		{[]any{1.5}, []any{2.5}, -1},
	} {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestEventAndText(t *testing.T) {
	if v := Event([]any{int64(1)}); v != int64(1) {
		t.Errorf("Event of one value = %v", v)
	}
	if v, ok := Event([]any{1, 2}).([]any); !ok || len(v) != 2 {
		t.Errorf("Event of two values = %v", v)
	}
	s := "x"
	var nilPtr *string
	for _, c := range []struct {
		v    any
		want string
	}{{nil, ""}, {nilPtr, ""}, {&s, "x"}, {int64(7), "7"}, {id("u"), "id:u"}} {
		if got := Text(c.v); got != c.want {
			t.Errorf("Text(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}
