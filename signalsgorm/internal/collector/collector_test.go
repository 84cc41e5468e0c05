package collector

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"gorm.io/gorm/schema"
)

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{
		"CASCADE": Cascade, "protect": Protect, "RESTRICT": Restrict, "no action": Restrict,
		"SET NULL": SetNull, "set_null": SetNull, " Set  Default ": SetDefault, "DO_NOTHING": DoNothing,
	} {
		if m, ok := ParseMode(in); !ok || m != want {
			t.Errorf("ParseMode(%q) = %v, %v; want %v", in, m, ok, want)
		}
	}
	if _, ok := ParseMode("SET"); ok {
		t.Error(`ParseMode("SET") accepted`)
	}
	if Mode(0).Valid() || Mode(7).Valid() || !DoNothing.Valid() || Mode(9).String() != "OnDelete(9)" || SetNull.String() != "SET_NULL" {
		t.Error("Valid or String")
	}
}

func TestDeclaredModes(t *testing.T) {
	for _, c := range []struct {
		tag  string
		want Mode
		ok   bool
		err  bool
	}{
		{"", 0, false, false},
		{"-", 0, false, false},
		{"foreignKey:X", 0, false, false},
		{"OnUpdate:CASCADE,OnDelete:SET NULL", SetNull, true, false},
		{"OnDelete:NO ACTION", Restrict, true, false},
		{"OnDelete:PROTECT", 0, false, true},
	} {
		m, ok, err := fromConstraint(c.tag)
		if m != c.want || ok != c.ok || (err != nil) != c.err {
			t.Errorf("fromConstraint(%q) = %v, %v, %v", c.tag, m, ok, err)
		}
	}
	for _, c := range []struct {
		tag  reflect.StructTag
		want Mode
		ok   bool
		err  bool
	}{
		{`gorm:"x"`, 0, false, false},
		{`signals:"reverse"`, 0, false, false},
		{`signals:"reverse;on_delete:protect"`, Protect, true, false},
		{`signals:"on_delete:maybe"`, 0, false, true},
	} {
		m, ok, err := tagMode(c.tag)
		if m != c.want || ok != c.ok || (err != nil) != c.err {
			t.Errorf("tagMode(%q) = %v, %v, %v", c.tag, m, ok, err)
		}
	}
}

func TestChunks(t *testing.T) {
	if got := chunkSize(1000, 2); got != (1000-reserveParams)/2 {
		t.Errorf("chunkSize = %d", got)
	}
	if got := chunkSize(10, 3); got != 1 {
		t.Errorf("chunkSize below the reserve = %d, want 1", got)
	}
	got := chunks([]int{1, 2, 3, 4, 5}, 2)
	if len(got) != 3 || !slices.Equal(got[2], []int{5}) {
		t.Errorf("chunks = %v", got)
	}
	if chunks([]int(nil), 2) != nil {
		t.Error("chunks of nothing")
	}
	for v, want := range map[string]bool{"3.32.0": true, "3.45.1": true, "4.0": true, "3.31.9": false, "3": false, "x.y": false} {
		if versionAtLeast(v, 3, 32) != want {
			t.Errorf("versionAtLeast(%q)", v)
		}
	}
}

// loadOf reads no more than a deletion needs.
func TestLoadOf(t *testing.T) {
	pk := []*schema.Field{{Name: "ID"}}
	withPK := &schema.Schema{PrimaryFields: pk}
	edge := []*edge{{}}
	for _, c := range []struct {
		name    string
		n       node
		root    bool
		want    Load
		signals bool
	}{
		{"no primary key", node{s: &schema.Schema{}, signals: true, cyclic: true}, true, LoadNone, false},
		{"receivers", node{s: withPK, signals: true}, false, LoadRows, true},
		{"cycle", node{s: withPK, cyclic: true}, false, LoadKeys, false},
		{"restricted", node{s: withPK, restricted: true}, false, LoadKeys, false},
		{"root with relations", node{s: withPK, edges: edge}, true, LoadKeys, false},
		{"root alone", node{s: withPK}, true, LoadNone, false},
		{"cascaded with relations", node{s: withPK, edges: edge}, false, LoadNone, false},
	} {
		if l, sig := loadOf(&c.n, c.root); l != c.want || sig != c.signals {
			t.Errorf("%s: loadOf = %v, %v; want %v, %v", c.name, l, sig, c.want, c.signals)
		}
	}
}

type hashID int64

func (h hashID) Value() (driver.Value, error) { return fmt.Sprintf("h%d", int64(h)), nil }

type plainID uint32

func TestAppendInts(t *testing.T) {
	for _, c := range []struct {
		vs   []any
		want string
		ok   bool
	}{
		{[]any{int64(-1), 2, int8(3), uint(4), uint64(math.MaxInt64), plainID(6)}, "-1,2,3,4,9223372036854775807,6", true},
		{[]any{uint64(math.MaxInt64) + 1}, "", false}, // no BIGINT holds it
		{[]any{1, "2"}, "", false},
		{[]any{1, hashID(2)}, "", false}, // its Valuer says what it stores
		{[]any{1, nil}, "", false},
	} {
		got, ok := appendInts(nil, c.vs)
		if ok != c.ok || ok && string(got) != c.want {
			t.Errorf("appendInts(%v) = %q, %v; want %q, %v", c.vs, got, ok, c.want, c.ok)
		}
	}
}
