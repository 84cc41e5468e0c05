package signalsgorm

import (
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
)

const (
	rawKey    = "signals:raw_delete"    // statements of the collector itself
	resultKey = "signals:delete_result" // *deleteOutcome
)

// DeleteResult is what a deletion removed: Django's (total, {label: n})
// (C110).
type DeleteResult struct {
	// Total counts every row deleted (or soft deleted), cascades and
	// many2many links included.
	Total int64
	// PerModel maps model labels (for GORM's join tables, the join model's
	// label m2m_changed reports) to their rows deleted. Models with none are left out; it is empty,
	// not nil, when nothing was deleted.
	PerModel map[string]int64
}

type deleteOutcome struct {
	stmt *gorm.Statement
	res  DeleteResult
}

// Delete runs db.Delete(value, conds...) and returns what it deleted,
// cascades included. The returned *gorm.DB of db.Delete tells the same
// through [DeleteResultOf].
func Delete(db *gorm.DB, value any, conds ...any) (DeleteResult, error) {
	if From(db) == nil {
		return DeleteResult{}, errNotInstalled
	}
	tx := db.Delete(value, conds...)
	if tx.Error != nil {
		return DeleteResult{}, tx.Error
	}
	res, _ := DeleteResultOf(tx)
	return res, nil
}

// DeleteResultOf returns the result of the deletion tx ran (the *gorm.DB
// db.Delete returned); ok is false when tx ran no deletion or failed.
func DeleteResultOf(tx *gorm.DB) (res DeleteResult, ok bool) {
	if tx == nil || tx.Statement == nil {
		return res, false
	}
	v, found := tx.Statement.Settings.Load(resultKey)
	if !found {
		return res, false
	}
	o := v.(*deleteOutcome)
	if o.stmt != tx.Statement || tx.Error != nil {
		return res, false
	}
	return o.res, true
}

// delete runs in place of gorm:delete.
func (p *Plugin) delete(db *gorm.DB, orig func(*gorm.DB)) {
	stmt := db.Statement
	if _, raw := stmt.Settings.Load(rawKey); raw || db.Error != nil || db.DryRun || stmt.Schema == nil ||
		stmt.SQL.Len() > 0 || isJoinTable(stmt) || len(stmt.Schema.PrimaryFields) == 0 {
		orig(db)
		return
	}
	s := stmt.Schema
	soft := softField(s) != nil && !stmt.Unscoped
	l, err := p.layout(stmt.Context, s, stmt.Table, soft, !stmt.SkipHooks, selectedAssociations(stmt))
	if err != nil {
		db.AddError(err)
		return
	}
	_, returning := stmt.Clauses["RETURNING"]
	if l.root.load == LoadNone {
		// The fast path: GORM's own single statement.
		orig(db)
		res := DeleteResult{PerModel: map[string]int64{}}
		if db.Error == nil && db.RowsAffected > 0 {
			res.Total, res.PerModel[l.root.label] = db.RowsAffected, db.RowsAffected
		}
		stmt.Settings.Store(resultKey, &deleteOutcome{stmt, res})
		return
	}
	if returning {
		l.root.load = LoadRows // the deleted rows are scanned into the value
	}
	where, pks, user, err := rootSelection(db)
	if err != nil {
		db.AddError(err)
		return
	}
	var origin any = stmt.Dest
	if len(pks) == 0 {
		origin = queryOf(db, p.model(s), where)
	}
	tx := db.Session(&gorm.Session{NewDB: true})
	_, inTx := stmt.ConnPool.(gorm.TxCommitter)
	if !inTx {
		// SkipDefaultTransaction or a session without one: the collection
		// still needs one.
		if tx = tx.Begin(); tx.Error != nil {
			db.AddError(tx.Error)
			return
		}
	}
	c := newCollector(p, l, tx, origin)
	var limit []clause.Interface
	if p.mysql {
		for _, name := range []string{"ORDER BY", "LIMIT"} {
			if cl, ok := stmt.Clauses[name]; ok {
				if ci, ok := cl.Expression.(clause.Interface); ok {
					limit = append(limit, ci)
				}
			}
		}
	}
	err = c.collectRoot(where, pks, user, limit)
	if err == nil {
		err = c.check()
	}
	var res DeleteResult
	if err == nil {
		res, err = c.execute()
	}
	if !inTx {
		if err != nil {
			tx.Rollback()
		} else {
			err = tx.Commit().Error
		}
	}
	if err != nil {
		db.AddError(err)
		return
	}
	db.RowsAffected = res.PerModel[l.root.label]
	if stmt.Result != nil {
		stmt.Result.RowsAffected = db.RowsAffected
	}
	stmt.Settings.Store(resultKey, &deleteOutcome{stmt, res})
	if returning {
		c.returnRows(stmt)
	}
}

// selectedAssociations returns the relations GORM's
// delete_before_associations deleted before the collector runs:
// db.Select("Books").Delete(&author) deletes the has-one, has-many and
// many2many rows of the relations selected (clause.Associations: all).
func selectedAssociations(stmt *gorm.Statement) map[*schema.Relationship]bool {
	if len(stmt.Selects) == 0 {
		return nil
	}
	sel, _ := stmt.SelectAndOmitColumns(true, false)
	var done map[*schema.Relationship]bool
	for name, on := range sel {
		rel, ok := stmt.Schema.Relationships.Relations[name]
		if !on || !ok || rel.Type == schema.BelongsTo {
			continue
		}
		if done == nil {
			done = map[*schema.Relationship]bool{}
		}
		done[rel] = true
	}
	return done
}

// rootSelection returns what gorm:delete would delete: the statement's
// conditions, the primary keys of the value deleted (pks, with user the
// instances that carry them) and of db.Model.
func rootSelection(db *gorm.DB) (where []clause.Expression, pks [][]any, user []reflect.Value, err error) {
	stmt := db.Statement
	if c, ok := stmt.Clauses["WHERE"]; ok {
		if w, ok := c.Expression.(clause.Where); ok {
			where = append(where, w.Exprs...)
		}
	}
	_, pks = schema.GetIdentityFieldValuesMap(stmt.Context, stmt.ReflectValue, stmt.Schema.PrimaryFields)
	if len(pks) > 0 {
		user = instances(stmt.ReflectValue, stmt.Schema.ModelType)
	}
	if stmt.ReflectValue.CanAddr() && stmt.Dest != stmt.Model && stmt.Model != nil {
		_, mv := schema.GetIdentityFieldValuesMap(stmt.Context, reflect.ValueOf(stmt.Model), stmt.Schema.PrimaryFields)
		if len(mv) > 0 {
			col, vals := schema.ToQueryValues(stmt.Table, stmt.Schema.PrimaryFieldDBNames, mv)
			where = append(where, clause.IN{Column: col, Values: vals})
		}
	}
	if len(where) == 0 && len(pks) == 0 && !db.AllowGlobalUpdate {
		return nil, nil, nil, gorm.ErrMissingWhereClause
	}
	return where, pks, user, nil
}

// queryOf describes a conditional deletion, the Origin of its events.
func queryOf(db *gorm.DB, m *modelsignals.Model, where []clause.Expression) *modelsignals.Query {
	s := &gorm.Statement{DB: db, Context: db.Statement.Context, Schema: db.Statement.Schema,
		Table: db.Statement.Table, Clauses: map[string]clause.Clause{}}
	clause.Where{Exprs: where}.Build(s)
	return &modelsignals.Query{Model: m, Where: s.SQL.String(), Args: s.Vars}
}

// returnRows gives a statement with a RETURNING clause the deleted root
// rows, as GORM does with the rows the database returns.
func (c *collector) returnRows(stmt *gorm.Statement) {
	rows := c.sets[c.l.root].rows
	rv := stmt.ReflectValue
	switch rv.Kind() {
	case reflect.Slice:
		if !rv.CanSet() {
			return
		}
		out := reflect.MakeSlice(rv.Type(), 0, len(rows))
		for _, r := range rows {
			v := r.inst
			if rv.Type().Elem().Kind() != reflect.Pointer {
				v = v.Elem()
			}
			if v.Type().AssignableTo(rv.Type().Elem()) {
				out = reflect.Append(out, v)
			}
		}
		rv.Set(out)
	case reflect.Struct:
		if len(rows) > 0 && rv.CanSet() && rows[0].inst.Elem().Type() == rv.Type() {
			rv.Set(rows[0].inst.Elem())
		}
	}
}
