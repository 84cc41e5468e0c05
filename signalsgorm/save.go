package signalsgorm

import (
	"context"
	"reflect"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/assoc"
)

// saveStateKey names the statement clause that carries a *saveState from
// pre_save to post_save. It is never built into SQL; an entry of the
// statement's Clauses map costs no allocation, where its Settings would.
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
	// forced: an update that matches no row is an error (ErrNotUpdated):
	// a deferred Save, or an instance save with ReportNotUpdated.
	forced bool
	// deferred: a Save restricted to the columns the object was loaded
	// with (partial.go).
	deferred bool
	// pendingSince is when the state was left for the fallback insert.
	pendingSince time.Time
}

// setMark records e in stmt's Clauses under name, a clause never built
// into SQL: a map entry costs no allocation, where the statement's
// Settings would.
func setMark(stmt *gorm.Statement, name string, e clause.Expression) {
	if stmt.Clauses == nil {
		stmt.Clauses = map[string]clause.Clause{}
	}
	stmt.Clauses[name] = clause.Clause{Expression: e}
}

// A keptState is a state a hook keeps in its statement's clauses for a
// later hook of the same statement: a *saveState or a *bulkState.
type keptState interface {
	clause.Expression
	owner() *gorm.Statement
}

// keepState records st in stmt's clauses under name, for takeState.
func (p *Plugin) keepState(stmt *gorm.Statement, name string, st keptState) {
	setMark(stmt, name, st)
	p.kept.Add(1)
}

// takeState removes from the statement's clauses the state kept under
// name and returns it; nil when there is none, or when it is a copy
// GORM made into a nested statement (association saves), which is left
// alone. While no state is kept anywhere it looks nothing up.
func (p *Plugin) takeState(db *gorm.DB, name string) keptState {
	if p.kept.Load() == 0 {
		return nil
	}
	st, ok := db.Statement.Clauses[name].Expression.(keptState)
	if !ok || st.owner() != db.Statement {
		return nil
	}
	delete(db.Statement.Clauses, name)
	p.kept.Add(-1)
	return st
}

func (st *saveState) owner() *gorm.Statement { return st.stmt }

// Build makes a saveState a clause expression that writes nothing.
func (*saveState) Build(clause.Builder) {}

func (p *Plugin) preSaveCreate(db *gorm.DB) { p.preSave(db, true) }
func (p *Plugin) preSaveUpdate(db *gorm.DB) { p.preSave(db, false) }

func (p *Plugin) preSave(db *gorm.DB, create bool) {
	m := p.saveModel(db, create)
	if m == nil {
		return
	}
	stmt := db.Statement
	deferred, err := p.prepareUpdate(stmt, create, m.Label)
	if err != nil {
		db.AddError(err)
		return
	}
	ctx := stmt.Context
	tracked := p.track.tracks(m.Type)
	active := modelsignals.PreSave.Active(ctx, m.Type) || modelsignals.PostSave.Active(ctx, m.Type)
	if !active && !tracked && !deferred && !p.track.reportNotUpdated {
		return
	}
	st := &saveState{stmt: stmt, model: m, raw: modelsignals.IsRaw(ctx), tracked: tracked, deferred: deferred}
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
	st.forced = deferred || !create && p.track.reportNotUpdated && instanceSave(stmt, fields)
	if !active && !tracked && !st.forced {
		return
	}
	p.before(db, st, create, active)
	if write != nil {
		write.apply(stmt, st.instances)
	}
	p.keepState(stmt, saveStateKey, st)
	if err := p.runPreSave(db, st, create, active); err != nil {
		db.AddError(err)
		return
	}
	if write != nil {
		write.writeBack(stmt, st.instances)
	}
}

// runPreSave sends pre_save for st under the recursion guard, and handles
// what its receivers changed outside the update fields.
func (p *Plugin) runPreSave(db *gorm.DB, st *saveState, create, active bool) error {
	st.ctx = withDB(db)
	if active {
		fr, err := guard(db, st.model.Label, st.instances)
		if err != nil {
			return err
		}
		st.ctx = withFrame(st.ctx, fr)
	}
	before := copiesBefore(st)
	if err := p.sendPreSave(st, create); err != nil {
		return err
	}
	p.outsideChanges(st, create, before)
	return nil
}

// prepareUpdate checks the update fields of an update of one object
// (checkUpdateFields), and turns a Save of an object loaded with a column
// subset into a save of those columns (restrictToLoaded), which it reports.
func (p *Plugin) prepareUpdate(stmt *gorm.Statement, create bool, label string) (deferred bool, err error) {
	switch {
	case create:
		return false, nil
	case !selectsAll(stmt) || isMapDest(stmt): // names given: not a full Save
		return false, checkUpdateFields(stmt, label)
	case p.track.partial.live.Load() == 0 || !samePointer(stmt.Dest, stmt.Model) || !instanceUpdate(stmt):
		return false, nil
	}
	return p.restrictToLoaded(stmt, label)
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
			if p.pendingN.Load() == 0 {
				break
			}
			p.forgetPending(v.Interface())
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
	if create { // an update's targets have their keys (saveTargets)
		for i, v := range st.instances {
			st.pkZero[i] = pkIsZero(st.stmt, v)
		}
	} else {
		clear(st.pkZero)
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
	if p.pendingN.Load() == 0 {
		return
	}
	prev, ok := p.pending.LoadAndDelete(v.Interface())
	if !ok {
		return
	}
	p.pendingN.Add(-1)
	st := *prev.(*saveState)
	st.stmt = stmt
	st.ctx = withDB(db)
	st.fallback = true
	p.keepState(stmt, saveStateKey, &st)
}

// takeSave takes the state pre_save kept for post_save, or nil.
func (p *Plugin) takeSave(db *gorm.DB) *saveState {
	st, _ := p.takeState(db, saveStateKey).(*saveState)
	return st
}

func (p *Plugin) postSaveCreate(db *gorm.DB) {
	st := p.takeSave(db)
	if st == nil || db.Error != nil || db.DryRun {
		return
	}
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
	st := p.takeSave(db)
	if st == nil || db.Error != nil || db.DryRun {
		return
	}
	// MySQL counts changed rows, not matched ones: 0 may mean "unchanged",
	// so ask whether the row exists.
	if db.RowsAffected == 0 && (!p.mysql || len(st.instances) != 1 || !p.exists(db, st.instances[0])) {
		if selectsAll(db.Statement) && len(st.instances) == 1 {
			// Save will insert the row: post_save waits for the insert.
			// (A user's own Select("*") update of a missing row looks the
			// same but is followed by nothing: such entries expire.)
			st.pendingSince = time.Now()
			p.expirePending(st.pendingSince)
			p.pendingN.Add(1) // before the entry: pendingN never counts fewer than there are
			p.pending.Store(st.instances[0].Interface(), st)
			return
		}
		if st.forced {
			// Django raises Model.NotUpdated
			// (tests/update_only_fields/tests.py,
			// UpdateOnlyFieldsTests.test_update_fields_not_updated).
			db.AddError(&NotUpdatedError{Model: st.model.Label, Key: pkKey(db.Statement, st.instances[0]).String(), UpdateFields: st.fields})
			return
		}
		if !p.mysql || len(st.instances) == 1 {
			// No row matched: nothing was saved. Django sends no
			// post_save when a save that must update matches no row.
			return
		}
	}
	if st.deferred && db.RowsAffected == 0 {
		// MySQL, the row unchanged: report it matched, or GORM's Save
		// would go on to insert the whole object, zeros included, with
		// ON DUPLICATE KEY UPDATE.
		db.RowsAffected = 1
	}
	for i := range st.instances {
		if !p.sendPostSave(db, st, i, false) {
			return
		}
	}
	p.refresh(st)
}

// forgetPending drops the fallback state of the instance k, if any.
func (p *Plugin) forgetPending(k any) {
	if _, ok := p.pending.LoadAndDelete(k); ok {
		p.pendingN.Add(-1)
	}
}

// expirePending drops fallback states older than a minute: GORM's insert
// fallback follows its update at once, so an older one was never resumed.
func (p *Plugin) expirePending(now time.Time) {
	p.pending.Range(func(k, v any) bool {
		if now.Sub(v.(*saveState).pendingSince) > time.Minute {
			p.forgetPending(k)
		}
		return true
	})
}

// exists reports whether the row of inst is in the table, reading in the
// statement's transaction; a soft-deleted row is not, unless the statement
// is Unscoped.
func (p *Plugin) exists(db *gorm.DB, inst reflect.Value) bool {
	stmt := db.Statement
	q := db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Model(reflect.New(stmt.Schema.ModelType).Interface()).Table(stmt.Table)
	if stmt.Unscoped {
		q = q.Unscoped()
	}
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
	// GORM's generated join models (reflect.StructOf) have no name and no
	// package; the schema's Name is the type's, read once by GORM.
	return stmt.Schema.Name == "" && assoc.Generated(stmt.Schema.ModelType)
}
