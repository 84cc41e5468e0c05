package signalsgorm

// What pre_save receivers change outside a save's update fields. Django
// writes only update_fields ("Specifying which fields to save"), and so does
// the plugin, but such a change is never lost silently: the object is
// compared before and after its pre_save receivers (only when the model
// has some), each field changed outside the update fields is a trace step,
// and is either written (WritePreSaveChanges) or logged once per model and
// field.

import (
	"context"
	"log/slog"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
)

// StepOutsideUpdateFields is the kind of the trace step recorded when a
// pre_save receiver changes a field outside the update fields of a save:
// its Name is "<model label>.<field>", its Detail says whether the change
// was written.
const StepOutsideUpdateFields = "outside_update_fields"

// WritePreSaveChanges makes a save with update fields (Select, an Updates
// map or struct, Update) also write the fields its pre_save receivers
// changed outside them, and list them in post_save's UpdateFields. A
// field the statement names in Omit stays unwritten.
//
// By default, as in Django, only the update fields are written: a
// receiver that sets Slug on db.Model(&p).Updates(map[string]any{"Title":
// t}) changes the object, not the row. The plugin then records a trace
// step of kind [StepOutsideUpdateFields] and logs a warning on the
// plugin's [Logger], once per model and field.
func WritePreSaveChanges() Option {
	return func(p *Plugin) { p.track.writeChanges = true }
}

// modelField keys the warnings given, once per model and field.
type modelField struct {
	model reflect.Type
	field string
}

// copiesBefore returns copies of the objects of a save with update fields,
// taken before its pre_save receivers run, or nil when it has no update
// fields or the model no pre_save receiver: then nothing is compared.
func copiesBefore(st *saveState) []reflect.Value {
	if st.fields == nil || !modelsignals.PreSave.Active(st.stmt.Context, st.model.Type) {
		return nil
	}
	out := make([]reflect.Value, len(st.instances))
	for i, v := range st.instances {
		out[i] = reflect.New(v.Type().Elem()).Elem()
		out[i].Set(v.Elem())
	}
	return out
}

// outsideChanges handles the fields pre_save receivers changed outside the
// update fields of st, given the copies taken before them: each is a trace
// step, and is written (WritePreSaveChanges, or a non-zero field GORM's
// update writes anyway) or logged once per model and field. st.fields
// becomes what the save writes, for post_save.
func (p *Plugin) outsideChanges(st *saveState, create bool, before []reflect.Value) {
	if before == nil {
		return
	}
	var changed []*schema.Field
	for i, v := range st.instances {
		changed = changedOutside(st, create, before[i], v.Elem(), changed)
	}
	if len(changed) == 0 {
		return
	}
	c := writtenColumns(st.stmt, create)
	fields := slices.Clone(st.fields)
	for _, f := range changed {
		written, why := p.writeOutside(st, &c, create, f, fields)
		if written {
			fields = append(fields, f.Name)
		} else {
			p.warnOutside(st, f.Name)
		}
		if ctx := st.stmt.Context; signals.TraceFrom(ctx) != nil {
			signals.RecordStep(ctx, StepOutsideUpdateFields, st.model.Label+"."+f.Name, why, time.Now(), nil)
		}
	}
	sort.Strings(fields)
	st.fields = fields
}

// changedOutside appends to dst the columns outside st's update fields
// whose value differs between old and cur (struct values), once each.
// Columns a save cannot write, and those GORM fills itself (the primary
// key, CreatedAt, UpdatedAt), are left out.
func changedOutside(st *saveState, create bool, old, cur reflect.Value, dst []*schema.Field) []*schema.Field {
	s := st.stmt.Schema
	for _, name := range s.DBNames {
		f := s.FieldsByDBName[name]
		switch {
		case f == nil || f.PrimaryKey || f.AutoCreateTime != 0 || f.AutoUpdateTime != 0:
			continue
		case create && !f.Creatable, !create && !f.Updatable:
			continue
		case slices.Contains(st.fields, f.Name) || slices.Contains(dst, f):
			continue
		}
		if !sameValue(st.stmt.Context, f, old, cur) {
			dst = append(dst, f)
		}
	}
	return dst
}

// sameValue reports whether field f holds the same value in the structs a
// and b.
func sameValue(ctx context.Context, f *schema.Field, a, b reflect.Value) bool {
	x, errA := a.FieldByIndexErr(f.StructField.Index)
	y, errB := b.FieldByIndexErr(f.StructField.Index)
	if errA != nil || errB != nil { // a nil embedded pointer
		return (errA != nil) == (errB != nil)
	}
	if x.Comparable() && y.Comparable() {
		return x.Equal(y)
	}
	va, _ := f.ValueOf(ctx, a)
	vb, _ := f.ValueOf(ctx, b)
	return reflect.DeepEqual(va, vb)
}

// writeOutside makes the statement of st write f, changed by a pre_save
// receiver outside the update fields, when WritePreSaveChanges is on (or
// GORM's update writes it anyway: a non-zero field of an update of the
// object itself that names no fields), and reports whether it is written
// and why, for the trace. c is the statement's column choice, updated when
// the statement becomes restricted to named columns; fields are those
// written so far.
func (p *Plugin) writeOutside(st *saveState, c *columnChoice, create bool, f *schema.Field, fields []string) (bool, string) {
	stmt := st.stmt
	if v, named := c.selects[f.DBName]; named && !v {
		return false, "not written: the statement omits it"
	}
	inst := st.instances[0].Elem()
	nv, zero := f.ValueOf(stmt.Context, inst)
	dest := reflect.ValueOf(stmt.Dest)
	same := samePointer(stmt.Dest, stmt.Model)
	if !create && same && !c.restricted && !zero {
		return true, "written: GORM's update writes the non-zero fields of the object"
	}
	if !p.track.writeChanges {
		return false, "not written: update fields are " + strings.Join(st.fields, ",")
	}
	if !create {
		if m, ok := destMap(stmt); ok {
			m[mapKey(stmt, m, f)] = nv
		} else if !same {
			if !setDest(stmt, dest, f, nv) {
				return false, "not written: the update's value is not a " + stmt.Schema.ModelType.String()
			}
		}
		if !c.restricted && zero && !isMapDest(stmt) {
			// GORM writes a zero struct field only when selected.
			stmt.Selects = append(append([]string{clause.Associations}, fields...), stmt.Selects...)
			c.restricted = true
		}
	}
	if c.restricted {
		stmt.Selects = append(stmt.Selects, f.Name)
	}
	return true, "written (WritePreSaveChanges)"
}

func isMapDest(stmt *gorm.Statement) bool {
	_, ok := destMap(stmt)
	return ok
}

// mapKey returns the key of an update map that names f, or f's name.
func mapKey(stmt *gorm.Statement, m map[string]any, f *schema.Field) string {
	for k := range m {
		if stmt.Schema.LookUpField(k) == f {
			return k
		}
	}
	return f.Name
}

// setDest sets f to v in the struct an update writes from (dest, not the
// instance), making it addressable first if need be. It reports false when
// dest is not a struct of the model's type.
func setDest(stmt *gorm.Statement, dest reflect.Value, f *schema.Field, v any) bool {
	for dest.Kind() == reflect.Pointer && !dest.IsNil() {
		dest = dest.Elem()
	}
	if dest.Kind() != reflect.Struct || dest.Type() != stmt.Schema.ModelType {
		return false
	}
	if !dest.CanAddr() {
		cp := reflect.New(dest.Type())
		cp.Elem().Set(dest)
		stmt.Dest = cp.Interface()
		dest = cp.Elem()
	}
	return f.Set(stmt.Context, dest, v) == nil
}

// warnOutside logs, once per model and field, that a pre_save receiver's
// change of field was not written.
func (p *Plugin) warnOutside(st *saveState, field string) {
	if _, seen := p.track.warned.LoadOrStore(modelField{st.model.Type, field}, true); seen {
		return
	}
	l := p.logger
	if l == nil {
		l = slog.Default()
	}
	l.LogAttrs(st.stmt.Context, slog.LevelWarn, "signalsgorm: a pre_save receiver changed a field outside the update fields; the change is not written",
		slog.String("model", st.model.Label), slog.String("field", field), slog.String("update_fields", strings.Join(st.fields, ",")),
		slog.String("using", p.using),
		slog.String("fix", "name the field in Select or the Updates map, or install the plugin with signalsgorm.WritePreSaveChanges()"))
}
