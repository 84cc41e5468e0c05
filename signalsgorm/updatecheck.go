package signalsgorm

// The check of the names an update of one object gives as its update
// fields, and the definition of that update (an instance save).

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/signalsgorm/internal/assoc"
)

// instanceUpdate reports whether an update statement saves one object,
// identified by its primary key: Save, Update and Updates of a model value
// whose key is set. Conditional updates of a zero model and updates of a
// slice are bulk updates.
func instanceUpdate(stmt *gorm.Statement) bool {
	rv := stmt.ReflectValue
	return rv.Kind() == reflect.Struct && rv.CanAddr() && rv.Type() == stmt.Schema.ModelType && !pkIsZero(stmt, rv.Addr())
}

// instanceSave reports whether an update statement is the instance save
// with update fields that [ReportNotUpdated] holds to match a row: an
// update of one object by its primary key, with update fields (not a full
// Save), and no condition of its own (Where, Or, Not): GORM adds the key
// condition, and soft-delete's, only when it runs the UPDATE, after
// pre_save.
func instanceSave(stmt *gorm.Statement, fields []string) bool {
	if fields == nil || !instanceUpdate(stmt) {
		return false
	}
	_, where := stmt.Clauses["WHERE"]
	return !where
}

// checkUpdateFields refuses the Select names and update map keys of an
// update of one object that name fields the update cannot write: the
// primary key, a field that is not a column, a read-only field, or a
// relation. GORM writes nothing for them (for a relation, it saves the
// related objects instead, which update fields never do in Django). The
// statements GORM's Association API issues select their relation, and are
// let through. Unknown names were reported by validate.
func checkUpdateFields(stmt *gorm.Statement, label string) error {
	if (len(stmt.Selects) == 0 || selectsAll(stmt)) && !isMapDest(stmt) || !instanceUpdate(stmt) {
		// Save, Updates(struct): no names given; or a bulk update.
		return nil
	}
	var bad []badField
	for _, name := range stmt.Selects {
		if b, ok := unwritable(stmt, name); ok {
			bad = append(bad, b)
		}
	}
	if m, ok := destMap(stmt); ok {
		for k := range m {
			// A key naming the primary key is written by GORM (a change
			// of key), so only the other kinds are refused.
			if b, ok := unwritable(stmt, k); ok && !b.pk {
				bad = append(bad, b)
			}
		}
	}
	if slices.ContainsFunc(bad, func(b badField) bool { return b.rel }) && assoc.Caller() != assoc.None {
		bad = slices.DeleteFunc(bad, func(b badField) bool { return b.rel })
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].name < bad[j].name })
	e := &UpdateFieldsError{Model: label}
	for _, b := range bad {
		e.Fields = append(e.Fields, b.name)
		e.reasons = append(e.reasons, b.reason)
	}
	return e
}

// badField is a name an update cannot write, and why.
type badField struct {
	name, reason string
	pk, rel      bool
}

// unwritable tells whether name, a Select name or update map key of an
// update, names a field the update cannot write. Names that are not fields
// ("*", GORM's association selections "Tags.*", expressions) are not its
// business.
func unwritable(stmt *gorm.Statement, name string) (badField, bool) {
	s := stmt.Schema
	if rel, ok := s.Relationships.Relations[name]; ok {
		return badField{name: name, reason: relationReason(rel), rel: true}, true
	}
	f := s.LookUpField(name)
	if f == nil {
		if i := strings.LastIndexByte(name, '.'); i >= 0 { // "table.column"
			table := strings.Trim(name[:i], "`\"")
			if table == stmt.Table || table == s.Table {
				f = s.LookUpField(strings.Trim(name[i+1:], "`\""))
			}
		}
		if f == nil {
			return badField{}, false
		}
	}
	switch {
	case f.PrimaryKey:
		return badField{name: name, reason: "the primary key: change a key with a conditional update", pk: true}, true
	case f.DBName == "":
		return badField{name: name, reason: `not a column (gorm:"-", or a type GORM does not store)`}, true
	case !f.Updatable:
		return badField{name: name, reason: "read-only (gorm permission tag)"}, true
	}
	return badField{}, false
}

// relationReason says what rel is and how to write it.
func relationReason(rel *schema.Relationship) string {
	switch rel.Type {
	case schema.Many2Many:
		return fmt.Sprintf("a many2many relation: change its links with Association(%q)", rel.Name)
	case schema.BelongsTo:
		var fks []string
		for _, ref := range rel.References {
			if !ref.OwnPrimaryKey {
				fks = append(fks, ref.ForeignKey.Name)
			}
		}
		return fmt.Sprintf("a belongs-to relation: select its foreign key %s", strings.Join(fks, ", "))
	default:
		return fmt.Sprintf("a %s relation: save the related objects, or use Association(%q)", strings.ReplaceAll(string(rel.Type), "_", "-"), rel.Name)
	}
}

// selectsAll reports whether a statement's Select list is GORM's "every
// column" of a Save.
func selectsAll(stmt *gorm.Statement) bool {
	return len(stmt.Selects) == 1 && stmt.Selects[0] == "*"
}

// ReportNotUpdated makes an instance save with update fields that matches
// no row fail with an error matching [ErrNotUpdated] (a [*NotUpdatedError]),
// as Django's save(update_fields=...) raises Model.NotUpdated. An instance
// save with update fields is an Update, Updates or Select(...).Save of one
// object whose primary key is set, with no condition of its own
// (db.Model(&b).Where(...) is a conditional update, and GORM's Save
// without Select inserts a missing row, as Django's save() does). pre_save
// was sent; post_save is not.
//
// Without the option such an update returns no error and RowsAffected 0,
// as GORM's does, and sends no post_save. A Save the plugin restricted to
// the columns an object was loaded with (see docs/saves.md) always
// reports ErrNotUpdated: GORM would otherwise insert the object, zeros
// included.
func ReportNotUpdated() Option {
	return func(p *Plugin) { p.track.reportNotUpdated = true }
}
