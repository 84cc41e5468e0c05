package signalsgorm

import (
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// PerObjectUpdates makes conditional updates of the given models
// (db.Model(&Book{}).Where(...).Updates(...)) send pre_save and post_save for
// each row they change, as if each had been loaded and saved: the rows are
// read (with their changes tracked) in the update's transaction before it
// runs. The update itself stays one UPDATE statement, so what pre_save
// receivers change on these objects is not written.
func PerObjectUpdates(models ...any) Option {
	return func(p *Plugin) {
		p.perObject, p.err = addModelTypes(p.perObject, "PerObjectUpdates", models, p.err)
	}
}

const bulkStateKey = "signals:bulk_state"

// Build makes a bulkState a clause expression that writes nothing (see
// setMark).
func (*bulkState) Build(clause.Builder) {}

func (st *bulkState) owner() *gorm.Statement { return st.stmt }

type bulkState struct {
	stmt  *gorm.Statement
	ev    modelsignals.UpdateEvent
	saves *saveState // per-object saves, with PerObjectUpdates
}

// isBulk reports whether an update statement writes rows without going
// through objects: hooks skipped (UpdateColumn(s)), a conditional update of
// a model without primary key, or the update of a slice of objects.
func isBulk(stmt *gorm.Statement) bool {
	rv := stmt.ReflectValue
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	switch {
	case stmt.SkipHooks:
		return true
	case rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array:
		return true
	case rv.Kind() == reflect.Struct && rv.CanAddr():
		return pkIsZero(stmt, rv.Addr())
	}
	return false
}

// preUpdate sends pre_update before an update that writes rows without
// going through objects, and pre_save for each row with PerObjectUpdates.
func (p *Plugin) preUpdate(db *gorm.DB) {
	m, perObject := p.updateModel(db)
	if m == nil {
		return
	}
	stmt := db.Statement
	fields, write, ok := updateFields(stmt, false)
	if !ok {
		return
	}
	st := &bulkState{stmt: stmt, ev: modelsignals.UpdateEvent{Model: m, Using: p.using,
		Values: updateValues(stmt, fields, write), Query: p.query(db, m)}}
	rows, err := p.affected(db, perObject)
	if err != nil {
		db.AddError(fmt.Errorf("signalsgorm: reading the rows of an update of %s: %w", m.Label, err))
		return
	}
	for _, r := range rows {
		st.ev.PKs = append(st.ev.PKs, key.Event(key.Values(stmt.Context, stmt.Schema.PrimaryFields, r)))
	}
	p.keepState(stmt, bulkStateKey, st)
	rctx := withDB(db)
	if perObject && len(rows) > 0 {
		st.saves = p.objectSaves(db, m, rows, fields, write)
		if st.saves == nil {
			return
		}
	}
	if err := modelsignals.PreUpdate.Send(rctx, m.Type, st.ev); err != nil {
		db.AddError(err)
	}
}

// updateModel returns the model of an update statement that sends
// pre_update and post_update, and whether it sends per-object saves too;
// nil when it sends nothing. An update GORM refuses (no WHERE clause, no
// key, no AllowGlobalUpdate: ErrMissingWhereClause) sends nothing.
func (p *Plugin) updateModel(db *gorm.DB) (m *modelsignals.Model, perObject bool) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun {
		return nil, false
	}
	// The receivers first: without any, nothing else matters.
	ctx, t, rv := stmt.Context, stmt.Schema.ModelType, stmt.ReflectValue
	perObject = len(p.perObject) > 0 && p.perObject[t] && !stmt.SkipHooks && rv.Kind() == reflect.Struct &&
		(modelsignals.PreSave.Active(ctx, t) || modelsignals.PostSave.Active(ctx, t))
	if !perObject && !modelsignals.PreUpdate.Active(ctx, t) && !modelsignals.PostUpdate.Active(ctx, t) ||
		isJoinTable(stmt) || !isBulk(stmt) {
		return nil, false
	}
	if m = p.model(stmt.Schema); m == nil {
		return nil, false
	}
	if _, where := stmt.Clauses["WHERE"]; !where && rv.Kind() == reflect.Struct && pkIsZero(stmt, rv.Addr()) && !stmt.AllowGlobalUpdate {
		return nil, false
	}
	return m, perObject
}

// updateValues returns the values an update writes, by field name: those
// of write, or else the named fields of the statement's model.
func updateValues(stmt *gorm.Statement, fields []string, write *updateWrite) map[string]any {
	values := make(map[string]any, len(fields))
	if write != nil {
		for f, v := range write.values {
			values[f.Name] = v
		}
		return values
	}
	for _, name := range fields {
		f := stmt.Schema.LookUpField(name)
		values[name], _ = f.ValueOf(stmt.Context, stmt.ReflectValue)
	}
	return values
}

func (p *Plugin) postUpdate(db *gorm.DB) {
	st, ok := p.takeState(db, bulkStateKey).(*bulkState)
	if !ok {
		return
	}
	if db.Error != nil {
		return
	}
	st.ev.RowsAffected = db.RowsAffected
	if err := modelsignals.PostUpdate.Send(withDB(db), st.ev.Model.Type, st.ev); err != nil {
		db.AddError(err)
		return
	}
	if s := st.saves; s != nil {
		for i := range s.instances {
			if !p.sendPostSave(db, s, i, false) {
				return
			}
		}
	}
}

// query describes the statement's condition in its dialect.
func (p *Plugin) query(db *gorm.DB, m *modelsignals.Model) *modelsignals.Query {
	q := &modelsignals.Query{Model: m}
	c, ok := db.Statement.Clauses["WHERE"]
	if !ok {
		return q
	}
	b := &gorm.Statement{DB: db, Clauses: map[string]clause.Clause{"WHERE": c}, Table: db.Statement.Table, Schema: db.Statement.Schema}
	b.Build("WHERE")
	sql := b.SQL.String()
	if len(sql) > 6 && sql[:6] == "WHERE " {
		sql = sql[6:]
	}
	q.Where, q.Args = sql, b.Vars
	return q
}

// affected reads, in the statement's transaction and before the update, the
// rows it will change: their keys, or whole rows for per-object updates.
// PostgreSQL and MySQL lock them (FOR UPDATE) so that the update changes
// exactly these; SQLite serialises writers anyway.
func (p *Plugin) affected(db *gorm.DB, whole bool) ([]reflect.Value, error) {
	stmt := db.Statement
	rv := stmt.ReflectValue
	if rv.Kind() != reflect.Struct || !pkIsZero(stmt, rv.Addr()) {
		return instances(rv, stmt.Schema.ModelType), nil // by primary key
	}
	q := db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Model(reflect.New(stmt.Schema.ModelType).Interface())
	if c, ok := stmt.Clauses["WHERE"]; ok {
		q = q.Clauses(c.Expression)
	}
	if db.Dialector.Name() != "sqlite" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if !whole {
		q = q.Select(stmt.Schema.PrimaryFieldDBNames)
	}
	rows := reflect.New(reflect.SliceOf(stmt.Schema.ModelType))
	if err := q.Find(rows.Interface()).Error; err != nil {
		return nil, err
	}
	return instances(rows, stmt.Schema.ModelType), nil
}

// objectSaves sends pre_save for each row of a per-object update, with the
// update's values applied and its changes, and returns the state post_save
// needs (nil after a receiver error).
func (p *Plugin) objectSaves(db *gorm.DB, m *modelsignals.Model, rows []reflect.Value, fields []string, write *updateWrite) *saveState {
	stmt := db.Statement
	st := &saveState{stmt: stmt, model: m, instances: rows, fields: fields, ctx: withDB(db), tracked: true,
		columns: columns(stmt.Schema), raw: modelsignals.IsRaw(stmt.Context)}
	st.old = make([][]any, len(rows))
	for i, r := range rows {
		st.old[i] = values(stmt.Context, st.columns, r)
	}
	if write != nil {
		write.apply(stmt, rows)
	} else {
		applyValues(stmt, rows, fields)
	}
	// The recursion guard covers these saves as it does preSave's.
	fr, err := guard(db, m.Label, rows)
	if err != nil {
		db.AddError(err)
		return nil
	}
	st.ctx = withFrame(st.ctx, fr)
	if !modelsignals.PreSave.Active(st.ctx, m.Type) {
		return st
	}
	for i, r := range rows {
		ev := modelsignals.SaveEvent{Model: m, Instance: r.Interface(), Raw: st.raw, Using: p.using, UpdateFields: fields,
			Changes: changes(stmt.Context, st.columns, r, st.old[i], false, fields)}
		if err := modelsignals.PreSave.Send(st.ctx, m.Type, ev); err != nil {
			db.AddError(err)
			return nil
		}
	}
	return st
}

// applyValues copies the update's field values from the statement's model
// into each row.
func applyValues(stmt *gorm.Statement, rows []reflect.Value, fields []string) {
	var fs []*schema.Field
	for _, name := range fields {
		fs = append(fs, stmt.Schema.LookUpField(name))
	}
	for _, f := range fs {
		v, _ := f.ValueOf(stmt.Context, stmt.ReflectValue)
		for _, r := range rows {
			_ = f.Set(stmt.Context, r.Elem(), v)
		}
	}
}
