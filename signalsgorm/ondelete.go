package signalsgorm

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/gosignals/signals/signalsgorm/internal/collector"
)

// OnDelete is what deleting a row does to the rows that reference it
// through a relation: Django's on_delete.
type OnDelete uint8

// The on_delete modes.
const (
	// Cascade deletes the referencing rows too, with their own cascades
	// and signals. GORM tag: constraint:OnDelete:CASCADE.
	Cascade OnDelete = iota + 1
	// Protect refuses the deletion, before any signal or write, when
	// referencing rows exist, even if they would be deleted through another
	// relation ([ProtectedError]). SQL has no equivalent.
	Protect
	// Restrict refuses the deletion, before any signal or write, when
	// referencing rows exist that the same deletion does not remove through
	// a cascade ([RestrictedError]). GORM tags: constraint:OnDelete:RESTRICT
	// and constraint:OnDelete:NO ACTION.
	Restrict
	// SetNull sets the referencing columns to NULL with one UPDATE; the
	// referencing rows get no save signals. GORM tag:
	// constraint:OnDelete:SET NULL.
	SetNull
	// SetDefault sets the referencing columns to their default (the GORM
	// default tag, else NULL) with one UPDATE, without save signals. GORM
	// tag: constraint:OnDelete:SET DEFAULT.
	SetDefault
	// DoNothing leaves the referencing rows alone: the database applies its
	// own constraint (it may refuse, or cascade silently). It is the mode of
	// relations without a constraint:OnDelete tag, as GORM behaves without
	// the plugin.
	DoNothing
)

// String returns Django's name of the mode ("CASCADE", "SET_NULL").
func (m OnDelete) String() string { return collector.Mode(m).String() }

func (m OnDelete) valid() bool { return collector.Mode(m).Valid() }

// TagKey is the struct tag the plugin reads on relation fields. Its
// on_delete setting declares a mode, including those SQL cannot express:
//
//	Author   *Author `signals:"on_delete:PROTECT"`
//	Reviews  []Review `signals:"on_delete:DO_NOTHING"`
const TagKey = "signals"

// tagHas reports whether the signals tag lists the setting name
// (signals:"reverse;on_delete:CASCADE" has "reverse").
func tagHas(tag reflect.StructTag, name string) bool {
	v, ok := tag.Lookup(TagKey)
	if !ok {
		return false
	}
	for _, part := range strings.Split(v, ";") {
		if strings.EqualFold(strings.TrimSpace(part), name) {
			return true
		}
	}
	return false
}

type rule struct {
	model any
	field string
	mode  OnDelete
}

// DeleteRule declares the on_delete mode of the relation field of model
// (a pointer to a model struct), for models whose tags you cannot change:
//
//	signalsgorm.New(signalsgorm.DeleteRule(&Book{}, "Author", signalsgorm.Protect))
//
// field is the name of a has-one, has-many, belongs-to or many2many field;
// for a relation both sides declare (Author.Books and Book.Author), either
// names it. A rule overrides the signals tag, which overrides the GORM
// constraint tag. Initialize reports an unknown model or field.
func DeleteRule(model any, field string, mode OnDelete) Option {
	return func(p *Plugin) {
		if !mode.valid() {
			p.err = fmt.Errorf("signalsgorm: DeleteRule(%T, %q): invalid mode %v", model, field, mode)
			return
		}
		p.rules = append(p.rules, rule{model, field, mode})
	}
}

// MaxQueryParams sets the number of bind parameters a statement of the
// deletion collector may use, which bounds the size of its IN (...) lists.
// The default is the dialect's limit: 65535 for PostgreSQL and MySQL, 32766
// for SQLite 3.32 and later (999 before), 999 for other dialects.
func MaxQueryParams(n int) Option {
	return func(p *Plugin) {
		if n < 2 {
			p.err = fmt.Errorf("signalsgorm: MaxQueryParams(%d): need at least 2", n)
			return
		}
		p.maxParams = n
	}
}
