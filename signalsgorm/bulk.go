package signalsgorm

import (
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
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

func (p *Plugin) preUpdate(db *gorm.DB) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun || isJoinTable(stmt) || !isBulk(stmt) {
		return
	}
	m := p.model(stmt.Schema)
	ctx := stmt.Context
	perObject := p.perObject[m.Type] && !stmt.SkipHooks && stmt.ReflectValue.Kind() == reflect.Struct &&
		(modelsignals.PreSave.Active(ctx, m.Type) || modelsignals.PostSave.Active(ctx, m.Type))
	if !perObject && !modelsignals.PreUpdate.Active(ctx, m.Type) && !modelsignals.PostUpdate.Active(ctx, m.Type) {
		return
	}
	_, where := stmt.Clauses["WHERE"]
	rv := stmt.ReflectValue
	if !where && rv.Kind() == reflect.Struct && pkIsZero(stmt, rv.Addr()) && !stmt.AllowGlobalUpdate {
		return // GORM refuses it (ErrMissingWhereClause)
	}
	fields, write, ok := updateFields(stmt, false)
	if !ok {
		return
	}
	st := &bulkState{stmt: stmt, ev: modelsignals.UpdateEvent{Model: m, Using: p.using, Values: map[string]any{}}}
	if write != nil {
		for f, v := range write.values {
			st.ev.Values[f.Name] = v
		}
	} else {
		for _, name := range fields {
			f := stmt.Schema.LookUpField(name)
			st.ev.Values[name], _ = f.ValueOf(ctx, rv)
		}
	}
	st.ev.Query = p.query(db, m)
	rows, err := p.affected(db, perObject)
	if err != nil {
		db.AddError(fmt.Errorf("signalsgorm: reading the rows of an update of %s: %w", m.Label, err))
		return
	}
	for _, r := range rows {
		st.ev.PKs = append(st.ev.PKs, pkOf(stmt, r))
	}
	stmt.Settings.Store(bulkStateKey, st)
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

func (p *Plugin) postUpdate(db *gorm.DB) {
	v, ok := db.Statement.Settings.Load(bulkStateKey)
	if !ok || v.(*bulkState).stmt != db.Statement {
		return
	}
	st := v.(*bulkState)
	db.Statement.Settings.Delete(bulkStateKey)
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

func pkOf(stmt *gorm.Statement, inst reflect.Value) any {
	if len(stmt.Schema.PrimaryFields) == 1 {
		v, _ := stmt.Schema.PrimaryFields[0].ValueOf(stmt.Context, inst.Elem())
		return v
	}
	key := make([]any, len(stmt.Schema.PrimaryFields))
	for i, f := range stmt.Schema.PrimaryFields {
		key[i], _ = f.ValueOf(stmt.Context, inst.Elem())
	}
	return key
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
