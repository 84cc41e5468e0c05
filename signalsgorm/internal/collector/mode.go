package collector

import (
	"fmt"
	"reflect"
	"strings"
)

// Mode is a relation's on_delete mode. Its values are those of
// signalsgorm.OnDelete.
type Mode uint8

// The on_delete modes.
const (
	Cascade Mode = iota + 1
	Protect
	Restrict
	SetNull
	SetDefault
	DoNothing
)

var modeNames = [...]string{"", "CASCADE", "PROTECT", "RESTRICT", "SET_NULL", "SET_DEFAULT", "DO_NOTHING"}

// String returns Django's name of the mode ("CASCADE", "SET_NULL").
func (m Mode) String() string {
	if m > 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("OnDelete(%d)", uint8(m))
}

// Valid reports whether m is one of the modes.
func (m Mode) Valid() bool { return m >= Cascade && m <= DoNothing }

// TagKey is the struct tag whose on_delete setting declares a mode.
const TagKey = "signals"

// ParseMode reads a mode written in Django's spelling or SQL's, in any
// case: "CASCADE", "set_null", "SET NULL", "do_nothing", "no action".
func ParseMode(s string) (Mode, bool) {
	n := strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " "))
	switch n {
	case "CASCADE":
		return Cascade, true
	case "PROTECT":
		return Protect, true
	case "RESTRICT", "NO ACTION":
		return Restrict, true
	case "SET NULL":
		return SetNull, true
	case "SET DEFAULT":
		return SetDefault, true
	case "DO NOTHING":
		return DoNothing, true
	}
	return 0, false
}

// fromConstraint maps the OnDelete of a GORM constraint tag to a mode; ok
// is false when the tag says nothing about deletion.
func fromConstraint(tag string) (Mode, bool, error) {
	if tag == "" || tag == "-" {
		return 0, false, nil
	}
	for _, part := range strings.Split(tag, ",") {
		k, v, found := strings.Cut(part, ":")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "OnDelete") {
			continue
		}
		m, ok := ParseMode(v)
		if !ok || m == Protect || m == DoNothing {
			return 0, false, fmt.Errorf("constraint OnDelete:%s is not an SQL action", v)
		}
		return m, true, nil
	}
	return 0, false, nil
}

// tagMode reads the on_delete setting of a signals tag.
func tagMode(tag reflect.StructTag) (Mode, bool, error) {
	v, ok := tag.Lookup(TagKey)
	if !ok {
		return 0, false, nil
	}
	for _, part := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(part, ":")
		if !strings.EqualFold(strings.TrimSpace(k), "on_delete") {
			continue
		}
		m, ok := ParseMode(val)
		if !ok {
			return 0, false, fmt.Errorf("unknown on_delete mode %q in tag %s:%q", val, TagKey, v)
		}
		return m, true, nil
	}
	return 0, false, nil
}
