package signalsgorm

// Which fields a save writes (Django's update_fields), read from GORM's
// Select, Omit, map keys and struct fields, and the check of the names a
// statement gives.

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// validate rejects Select/Omit names and update map keys that name no field
// of the model, before anything is written.
func validate(stmt *gorm.Statement, create bool) error {
	check := func(what, name string) error {
		if name == "*" || name == clause.Associations || knownName(stmt, name) {
			return nil
		}
		return fmt.Errorf("signalsgorm: %s: unknown field %q for model %s; nothing was written", what, name, stmt.Schema.ModelType)
	}
	for _, s := range stmt.Selects {
		if s == "*" { // Save's
			continue
		}
		if _, ok := stmt.Schema.Relationships.Relations[s]; ok {
			// An association write (Association().Append, ...): GORM adds
			// the join table's keys to the Select list itself.
			return nil
		}
	}
	for _, s := range stmt.Selects {
		if err := check("Select", s); err != nil {
			return err
		}
	}
	for _, s := range stmt.Omits {
		if err := check("Omit", s); err != nil {
			return err
		}
	}
	if !create {
		if m, ok := destMap(stmt); ok {
			for k := range m {
				if err := check("Updates", k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func knownName(stmt *gorm.Statement, name string) bool {
	if stmt.Schema.LookUpField(name) != nil {
		return true
	}
	if _, ok := stmt.Schema.Relationships.Relations[name]; ok {
		return true
	}
	if rel, _, ok := strings.Cut(name, "."); ok {
		if _, isRel := stmt.Schema.Relationships.Relations[rel]; isRel {
			return true // "Tags.*", "Author.Name": GORM's association selections
		}
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 { // "table.column"
		table, col := strings.Trim(name[:i], "`\""), name[i+1:]
		return (table == stmt.Table || table == stmt.Schema.Table) && (col == "*" || stmt.Schema.LookUpField(col) != nil)
	}
	return false
}

// updateFields computes update_fields: nil for a full save, else the sorted
// struct field names written. ok is false when the statement writes no
// column of the model (only relations, or nothing): then it is not a save.
// write describes how to apply the new values of an update to the instance
// before pre_save (nil when the instance is itself what is written).
//
// As in Django, update_fields names what the caller asked to write; columns
// GORM maintains itself (UpdatedAt) are not listed.
func updateFields(stmt *gorm.Statement, create bool) (fields []string, write *updateWrite, ok bool) {
	dest := reflect.ValueOf(stmt.Dest)
	for dest.Kind() == reflect.Pointer {
		dest = dest.Elem()
	}
	// The full writes first, which need no column list.
	switch {
	case create && len(stmt.Selects) == 0 && !omitsColumns(stmt):
		return nil, nil, true // a full create
	case !create && dest.Kind() == reflect.Struct && len(stmt.Selects) == 1 && stmt.Selects[0] == "*" &&
		!omitsColumns(stmt) && samePointer(stmt.Dest, stmt.Model):
		return nil, nil, true // Save: every field
	}
	c := writtenColumns(stmt, create)
	switch {
	case create:
		if !c.restricted && !c.omitsColumns {
			return nil, nil, true // a full create, or Select("*")
		}
		fields = createFields(stmt, c)
	case dest.Kind() == reflect.Map:
		fields, write = mapFields(stmt, c)
	case dest.Kind() == reflect.Struct:
		same := samePointer(stmt.Dest, stmt.Model)
		if same && len(stmt.Selects) == 1 && stmt.Selects[0] == "*" && !c.omitsColumns {
			return nil, nil, true // Save: every field
		}
		fields, write = structFields(stmt, c, dest, !same)
	}
	if len(fields) == 0 {
		return nil, nil, false
	}
	sort.Strings(fields)
	return fields, write, true
}

// columnChoice is what a statement's Select and Omit lists say about the
// columns it writes.
type columnChoice struct {
	selects      map[string]bool // by column: selected (true) or omitted (false)
	restricted   bool            // only the selected columns are written
	omitsColumns bool            // Omit names a column, not only relations
}

func writtenColumns(stmt *gorm.Statement, create bool) columnChoice {
	var c columnChoice
	c.selects, c.restricted = stmt.SelectAndOmitColumns(create, !create)
	c.omitsColumns = omitsColumns(stmt)
	return c
}

// omitsColumns reports whether the statement's Omit names a column, not
// only relations.
func omitsColumns(stmt *gorm.Statement) bool {
	return slices.ContainsFunc(stmt.Omits, func(name string) bool {
		_, rel := stmt.Schema.Relationships.Relations[name]
		return name != clause.Associations && !rel
	})
}

// allowed reports whether the choice lets the column of f be written.
func (c columnChoice) allowed(f *schema.Field) bool {
	v, named := c.selects[f.DBName]
	return (named && v) || (!named && !c.restricted)
}

// createFields returns the fields a restricted create writes.
func createFields(stmt *gorm.Statement, c columnChoice) []string {
	var fields []string
	for _, f := range stmt.Schema.Fields {
		if f.DBName != "" && f.Creatable && c.allowed(f) {
			fields = append(fields, f.Name)
		}
	}
	return fields
}

// mapFields returns the fields an Updates(map) writes, and their values.
func mapFields(stmt *gorm.Statement, c columnChoice) ([]string, *updateWrite) {
	var fields []string
	m, _ := destMap(stmt)
	write := &updateWrite{kind: reflect.Map, values: map[*schema.Field]any{}, keys: map[*schema.Field]string{}}
	for k, v := range m {
		f := stmt.Schema.LookUpField(k)
		if f == nil || f.DBName == "" || !c.allowed(f) {
			continue
		}
		fields = append(fields, f.Name)
		write.values[f], write.keys[f] = v, k
	}
	return fields, write
}

// structFields returns the fields an update with the struct dest writes
// and, when other is set (dest is not the instance), their values.
func structFields(stmt *gorm.Statement, c columnChoice, dest reflect.Value, other bool) ([]string, *updateWrite) {
	var fields []string
	var write *updateWrite
	if other {
		write = &updateWrite{kind: reflect.Struct, values: map[*schema.Field]any{}}
	}
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" || f.PrimaryKey || !f.Updatable || f.AutoUpdateTime != 0 || !c.allowed(f) {
			continue
		}
		v, zero := f.ValueOf(stmt.Context, dest)
		// Like GORM: zero values are written only when selected.
		if _, named := c.selects[f.DBName]; !named && zero {
			continue
		}
		fields = append(fields, f.Name)
		if write != nil {
			write.values[f] = v
		}
	}
	return fields, write
}

// destMap returns the map of an Updates(map) or Updates(&map).
func destMap(stmt *gorm.Statement) (map[string]any, bool) {
	switch m := stmt.Dest.(type) {
	case map[string]any:
		return m, true
	case *map[string]any:
		if m != nil {
			return *m, true
		}
	}
	return nil, false
}

// samePointer reports whether a and b hold the same pointer.
func samePointer(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.Kind() == reflect.Pointer && vb.Kind() == reflect.Pointer && va.Pointer() == vb.Pointer() && va.Type() == vb.Type()
}

// updateWrite applies the values of an Update/Updates to the instance
// before pre_save, so receivers see the object as it will be written, and
// writes back what receivers changed in those fields.
type updateWrite struct {
	kind   reflect.Kind
	values map[*schema.Field]any
	keys   map[*schema.Field]string // map key used, for map updates
}

func isExpr(v any) bool {
	switch v.(type) {
	case clause.Expression, *gorm.DB:
		return true
	}
	return false
}

func (w *updateWrite) apply(stmt *gorm.Statement, insts []reflect.Value) {
	for f, v := range w.values {
		if isExpr(v) {
			continue
		}
		for _, inst := range insts {
			_ = f.Set(stmt.Context, inst.Elem(), v)
		}
	}
}

func (w *updateWrite) writeBack(stmt *gorm.Statement, insts []reflect.Value) {
	if len(insts) != 1 {
		return // a batch update writes one set of values for every row
	}
	for f, v := range w.values {
		if isExpr(v) {
			continue
		}
		nv, _ := f.ValueOf(stmt.Context, insts[0].Elem())
		if reflect.DeepEqual(nv, v) {
			continue
		}
		if w.kind == reflect.Map {
			m, _ := destMap(stmt)
			m[w.keys[f]] = nv
		} else {
			stmt.SetColumn(f.DBName, nv, true)
		}
	}
}
