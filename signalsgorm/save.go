package signalsgorm

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
)

const saveStateKey = "signals:save_state"

// saveState carries what pre_save found to post_save, within one statement.
type saveState struct {
	stmt      *gorm.Statement
	model     *modelsignals.Model
	instances []reflect.Value // pointers to the model structs
	pkZero    []bool          // per instance: primary key unset before the write
	ctx       context.Context // what receivers get (see withDB)
	tracked   bool
	columns   []*schema.Field // the model's columns, when tracked
	old       [][]any         // per instance: values before the save, when tracked
	one       [1]reflect.Value
	onePK     [1]bool
	fields    []string // update_fields, nil for a full save
	raw       bool
	fallback  bool // the insert of Save's update-then-insert fallback
	// pendingSince is when the state was left for the fallback insert.
	pendingSince time.Time
}

func (p *Plugin) preSaveCreate(db *gorm.DB) { p.preSave(db, true) }
func (p *Plugin) preSaveUpdate(db *gorm.DB) { p.preSave(db, false) }

func (p *Plugin) preSave(db *gorm.DB, create bool) {
	m := p.saveModel(db, create)
	if m == nil {
		return
	}
	stmt := db.Statement
	ctx := stmt.Context
	tracked := p.track.tracks(m.Type)
	active := modelsignals.PreSave.Active(ctx, m.Type) || modelsignals.PostSave.Active(ctx, m.Type)
	if !active && !tracked {
		return
	}
	st := &saveState{stmt: stmt, model: m, raw: modelsignals.IsRaw(ctx), tracked: tracked}
	st.instances = p.saveTargets(stmt, create, st.one[:0])
	if len(st.instances) == 0 {
		return
	}
	fields, write, ok := updateFields(stmt, create)
	if !ok {
		// Nothing but relations is written (an association change), or
		// nothing at all, as Django's save(update_fields=[])
		// (tests/update_only_fields/tests.py,
		// UpdateOnlyFieldsTests.test_empty_update_fields).
		return
	}
	st.fields = fields
	p.before(db, st, create, active)
	if write != nil {
		write.apply(stmt, st.instances)
	}
	stmt.Settings.Store(saveStateKey, st)
	st.ctx = withDB(db)
	if active {
		fr, err := guard(db, m.Label, st.instances)
		if err != nil {
			db.AddError(err)
			return
		}
		st.ctx = withFrame(st.ctx, fr)
	}
	if err := p.sendPreSave(st, create); err != nil {
		db.AddError(err)
		return
	}
	if write != nil {
		write.writeBack(stmt, st.instances)
	}
}

// saveModel returns the model a create or update statement saves, or nil
// when it sends no save signals: an error or a dry run, a model without
// signals, the join rows of many2many relations (Django's auto-created
// through models send none: tests/signals/tests.py,
// SignalTests.test_save_and_delete_signals_with_m2m), or hooks skipped. It
// records an error for Select, Omit or Updates names the model does not
// have.
func (p *Plugin) saveModel(db *gorm.DB, create bool) *modelsignals.Model {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun || p.joinWrite(stmt) {
		return nil
	}
	m := p.model(stmt.Schema)
	if m == nil {
		return nil
	}
	if stmt.SkipHooks {
		if create {
			p.resumeFallback(db, m)
		}
		return nil
	}
	if err := validate(stmt, create); err != nil {
		db.AddError(err)
		return nil
	}
	return m
}

// saveTargets returns the objects a statement saves, appended to dst:
// those identified by their primary key for an update (a conditional
// update of a zero model is a bulk update), and those without a key for an
// INSERT ... ON CONFLICT DO NOTHING, as GORM re-saves the associations of
// an object (rows that already have a key are left alone, so they are not
// saved). An update forgets the Save fallback left for its objects.
func (p *Plugin) saveTargets(stmt *gorm.Statement, create bool, dst []reflect.Value) []reflect.Value {
	insts := instancesInto(dst, stmt.ReflectValue, stmt.Schema.ModelType)
	if !create {
		insts = slices.DeleteFunc(insts, func(v reflect.Value) bool { return pkIsZero(stmt, v) })
		for _, v := range insts {
			p.pending.Delete(v.Interface())
		}
	} else if doNothing(stmt) {
		insts = slices.DeleteFunc(insts, func(v reflect.Value) bool { return !pkIsZero(stmt, v) })
	}
	return insts
}

// before records, per instance, whether its primary key is unset and,
// when tracked, the values it had before the save.
func (p *Plugin) before(db *gorm.DB, st *saveState, create, active bool) {
	st.pkZero = st.onePK[:0]
	if len(st.instances) > 1 {
		st.pkZero = make([]bool, 0, len(st.instances))
	}
	st.pkZero = st.pkZero[:len(st.instances)]
	for i, v := range st.instances {
		st.pkZero[i] = pkIsZero(st.stmt, v)
	}
	if !st.tracked {
		return
	}
	st.columns = columns(st.stmt.Schema)
	st.old = make([][]any, len(st.instances))
	if !create && active {
		for i, v := range st.instances {
			st.old[i], _ = p.oldValues(db, st.columns, v)
		}
	}
}

// sendPreSave sends pre_save for each instance of st.
func (p *Plugin) sendPreSave(st *saveState, create bool) error {
	sender := st.model.Type
	if !modelsignals.PreSave.Active(st.stmt.Context, sender) {
		return nil
	}
	for i, v := range st.instances {
		ev := modelsignals.SaveEvent{Model: st.model, Instance: v.Interface(), Raw: st.raw, Using: p.using, UpdateFields: st.fields}
		if st.tracked {
			ev.Changes = changes(st.stmt.Context, st.columns, v, st.old[i], create || st.old[i] == nil, st.fields)
		}
		if err := modelsignals.PreSave.Send(st.ctx, sender, ev); err != nil {
			return err
		}
	}
	return nil
}

// resumeFallback recognises the insert GORM runs when Save's update matched
// no row (Session{SkipHooks: true} + ON CONFLICT UPDATE ALL + Create of the
// same value): pre_save was sent by the update, post_save follows the
// insert, with Created set.
func (p *Plugin) resumeFallback(db *gorm.DB, m *modelsignals.Model) {
	stmt := db.Statement
	if stmt.ReflectValue.Kind() != reflect.Struct || !stmt.ReflectValue.CanAddr() {
		return
	}
	if c, ok := stmt.Clauses["ON CONFLICT"]; !ok {
		return
	} else if oc, ok := c.Expression.(clause.OnConflict); !ok || !oc.UpdateAll {
		return // not Save's insert fallback (Session{SkipHooks} + OnConflict{UpdateAll})
	}
	v := stmt.ReflectValue.Addr()
	prev, ok := p.pending.LoadAndDelete(v.Interface())
	if !ok {
		return
	}
	st := *prev.(*saveState)
	st.stmt = stmt
	st.ctx = withDB(db)
	st.fallback = true
	stmt.Settings.Store(saveStateKey, &st)
}

func loadState(db *gorm.DB) *saveState {
	v, ok := db.Statement.Settings.Load(saveStateKey)
	if !ok {
		return nil
	}
	st := v.(*saveState)
	if st.stmt != db.Statement {
		return nil // copied into a nested statement (association saves)
	}
	return st
}

func (p *Plugin) postSaveCreate(db *gorm.DB) {
	st := loadState(db)
	if st == nil || db.Error != nil || db.DryRun {
		return
	}
	db.Statement.Settings.Delete(saveStateKey)
	_, upsert := db.Statement.Clauses["ON CONFLICT"]
	skip := doNothing(db.Statement)
	for i := range st.instances {
		if skip && pkIsZero(db.Statement, st.instances[i]) {
			// INSERT ... ON CONFLICT DO NOTHING met a conflict: the row was
			// not written (and GORM set no key), so it was not saved.
			continue
		}
		created := st.pkZero[i] || !upsert
		if st.fallback {
			// Only reached when the update matched no row (on MySQL,
			// postSaveUpdate checked that the row did not exist).
			created = true
		}
		if !p.sendPostSave(db, st, i, created) {
			return
		}
	}
	p.refresh(st)
}

func (p *Plugin) postSaveUpdate(db *gorm.DB) {
	st := loadState(db)
	if st == nil || db.Error != nil || db.DryRun {
		return
	}
	db.Statement.Settings.Delete(saveStateKey)
	// MySQL counts changed rows, not matched ones: 0 may mean "unchanged",
	// so ask whether the row exists.
	if db.RowsAffected == 0 && (!p.mysql || len(st.instances) != 1 || !p.exists(db, st.instances[0])) {
		if len(db.Statement.Selects) == 1 && db.Statement.Selects[0] == "*" && len(st.instances) == 1 {
			// Save will insert the row: post_save waits for the insert.
			// (A user's own Select("*") update of a missing row looks the
			// same but is followed by nothing: such entries expire.)
			st.pendingSince = time.Now()
			p.expirePending(st.pendingSince)
			p.pending.Store(st.instances[0].Interface(), st)
			return
		}
		if !p.mysql || len(st.instances) == 1 {
			// No row matched: nothing was saved. Django sends no
			// post_save when a save that must update matches no row
			// (tests/update_only_fields/tests.py,
			// UpdateOnlyFieldsTests.test_update_fields_not_updated).
			return
		}
	}
	for i := range st.instances {
		if !p.sendPostSave(db, st, i, false) {
			return
		}
	}
	p.refresh(st)
}

// expirePending drops fallback states older than a minute: GORM's insert
// fallback follows its update at once, so an older one was never resumed.
func (p *Plugin) expirePending(now time.Time) {
	p.pending.Range(func(k, v any) bool {
		if now.Sub(v.(*saveState).pendingSince) > time.Minute {
			p.pending.Delete(k)
		}
		return true
	})
}

// exists reports whether the row of inst is in the table, reading in the
// statement's transaction.
func (p *Plugin) exists(db *gorm.DB, inst reflect.Value) bool {
	stmt := db.Statement
	q := db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Table(stmt.Table)
	for _, f := range stmt.Schema.PrimaryFields {
		v, _ := f.ValueOf(stmt.Context, inst.Elem())
		q = q.Where(stmt.Quote(f.DBName)+" = ?", v)
	}
	var n int64
	return q.Limit(1).Count(&n).Error == nil && n > 0
}

// refresh records the saved values as the snapshot of tracked instances.
func (p *Plugin) refresh(st *saveState) {
	if !st.tracked {
		return
	}
	for _, v := range st.instances {
		p.track.snapshot(st.stmt.Context, st.columns, v)
	}
}

func (p *Plugin) sendPostSave(db *gorm.DB, st *saveState, i int, created bool) bool {
	ctx := st.ctx
	if !modelsignals.PostSave.Active(ctx, st.model.Type) {
		return true
	}
	v := st.instances[i]
	ev := modelsignals.SaveEvent{Model: st.model, Instance: v.Interface(), Created: created, Raw: st.raw, Using: p.using, UpdateFields: st.fields}
	if st.tracked {
		ev.Changes = changes(ctx, st.columns, v, st.old[i], created || st.old[i] == nil, st.fields)
	}
	if err := modelsignals.PostSave.Send(ctx, st.model.Type, ev); err != nil {
		db.AddError(err)
		return false
	}
	return true
}

// instances returns pointers to the model structs of rv (a struct, or a
// slice or array of structs or pointers to them) whose type is t.
func instances(rv reflect.Value, t reflect.Type) []reflect.Value {
	return instancesInto(nil, rv, t)
}

// instancesInto is instances appending to dst.
func instancesInto(dst []reflect.Value, rv reflect.Value, t reflect.Type) []reflect.Value {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Struct:
		if rv.Type() == t && rv.CanAddr() {
			return append(dst, rv.Addr())
		}
	case reflect.Slice, reflect.Array:
		out := dst
		if cap(out) < rv.Len() {
			out = make([]reflect.Value, 0, rv.Len())
		}
		for i := range rv.Len() {
			e := rv.Index(i)
			for e.Kind() == reflect.Interface && !e.IsNil() {
				e = e.Elem()
			}
			switch {
			case e.Kind() == reflect.Pointer && !e.IsNil() && e.Elem().Type() == t:
				out = append(out, e)
			case e.Kind() == reflect.Struct && e.Type() == t && e.CanAddr():
				out = append(out, e.Addr())
			}
		}
		return out
	}
	return nil
}

func pkIsZero(stmt *gorm.Statement, ptr reflect.Value) bool {
	if len(stmt.Schema.PrimaryFields) == 0 {
		return true
	}
	for _, f := range stmt.Schema.PrimaryFields {
		if _, zero := f.ValueOf(stmt.Context, ptr.Elem()); !zero {
			return false
		}
	}
	return true
}

func doNothing(stmt *gorm.Statement) bool {
	c, ok := stmt.Clauses["ON CONFLICT"]
	if !ok {
		return false
	}
	oc, ok := c.Expression.(clause.OnConflict)
	return ok && oc.DoNothing
}

func isJoinTable(stmt *gorm.Statement) bool {
	// GORM's generated join models are named after the join table and
	// have no package.
	return stmt.Schema.ModelType.PkgPath() == "" && stmt.Schema.ModelType.Name() == ""
}

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
	c := writtenColumns(stmt, create)
	dest := reflect.ValueOf(stmt.Dest)
	for dest.Kind() == reflect.Pointer {
		dest = dest.Elem()
	}
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
	c.omitsColumns = slices.ContainsFunc(stmt.Omits, func(name string) bool {
		_, rel := stmt.Schema.Relationships.Relations[name]
		return name != clause.Associations && !rel
	})
	return c
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
