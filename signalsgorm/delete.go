package signalsgorm

import (
	"errors"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/collector"
)

// resultKey names the statement clause that records what a deletion the
// plugin ran removed, for [DeleteResultOf]: a [deleted] when it is the
// statement's own rows (RowsAffected), a *[collected] otherwise. The
// clause is never built into SQL; a map entry of the statement's Clauses
// costs no allocation, where its Settings would.
const resultKey = "signals:delete_result"

// deleted marks a deletion of the statement's own rows: its result is the
// statement's RowsAffected, under the model's label.
type deleted struct{ stmt *gorm.Statement }

func (deleted) Build(clause.Builder) {}

// collected is the result of a deletion the collector ran.
type collected struct {
	stmt *gorm.Statement
	res  DeleteResult
}

func (*collected) Build(clause.Builder) {}

// DeleteResult is what a deletion removed: Django's (total, {label: n})
// (tests/delete/tests.py, DeletionTests.test_queryset_delete_returns_num_rows).
type DeleteResult struct {
	// Total counts every row deleted (or soft deleted), cascades and
	// many2many links included.
	Total int64
	// PerModel maps model labels (for GORM's join tables, the join model's
	// label m2m_changed reports) to their rows deleted. Models with none
	// are left out; it is empty, not nil, when nothing was deleted.
	PerModel map[string]int64
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
	if tx == nil || tx.Statement == nil || tx.Error != nil {
		return res, false
	}
	c, found := tx.Statement.Clauses[resultKey]
	if !found {
		return res, false
	}
	switch o := c.Expression.(type) {
	case *collected:
		if o.stmt == tx.Statement {
			return o.res, true
		}
	case deleted:
		p := From(tx)
		if o.stmt != tx.Statement || p == nil || tx.Statement.Schema == nil {
			return res, false
		}
		label := tx.Statement.Schema.Table
		if m := p.model(tx.Statement.Schema); m != nil {
			label = m.Label
		}
		res.PerModel = map[string]int64{}
		if n := tx.RowsAffected; n > 0 {
			res.Total, res.PerModel[label] = n, n
		}
		return res, true
	}
	return res, false
}

// delete runs in place of gorm:delete.
func (p *Plugin) delete(db *gorm.DB, orig func(*gorm.DB)) {
	stmt := db.Statement
	if !collects(db) {
		orig(db)
		return
	}
	signals := !stmt.SkipHooks && (modelsignals.PreDelete.Active(stmt.Context, stmt.Schema.ModelType) ||
		modelsignals.PostDelete.Active(stmt.Context, stmt.Schema.ModelType))
	if p.graph.Leaf(stmt.Schema) {
		if !signals {
			// Nothing listens and no relation acts: GORM's DELETE alone.
			p.deleteOwn(db, orig)
			return
		}
		if p.deleteGiven(db, orig) {
			return
		}
	}
	l, err := collector.NewLayout(stmt.Context, p.delEnv, &p.graph, stmt.Schema, layoutOptions(stmt))
	if err != nil {
		db.AddError(err)
		return
	}
	if l.Fast() {
		p.deleteOwn(db, orig)
		return
	}
	_, returning := stmt.Clauses["RETURNING"]
	if returning {
		l.ReadRoot() // the deleted rows are scanned into the value
	}
	req, err := deleteRequest(db, p.mysql)
	if err != nil {
		db.AddError(err)
		return
	}
	req.Instances = !returning
	c, res, err := p.collect(db, l, req)
	if err != nil {
		db.AddError(err)
		return
	}
	db.RowsAffected = res.PerModel[l.Label()]
	if stmt.Result != nil {
		stmt.Result.RowsAffected = db.RowsAffected
	}
	setMark(stmt, resultKey, &collected{stmt, res})
	if returning {
		c.ReturnRows(stmt)
	}
}

// deleteGiven deletes the instances the statement was given, of a model
// no relation acts from ([collector.Graph.Leaf]), without reading them
// (see [collector.Layout.Given]), with GORM's DELETE of the statement
// between their pre_delete and post_delete; it reports false, having done
// nothing, for any other deletion: a soft delete, conditions, a RETURNING
// clause, a statement outside a transaction (the collector begins one).
func (p *Plugin) deleteGiven(db *gorm.DB, orig func(*gorm.DB)) bool {
	stmt := db.Statement
	if _, inTx := stmt.ConnPool.(gorm.TxCommitter); !inTx || stmt.Model != nil && stmt.ReflectValue.CanAddr() && !samePointer(stmt.Dest, stmt.Model) {
		return false
	}
	if !stmt.Unscoped && collector.SoftField(stmt.Schema) != nil {
		return false
	}
	if _, ok := stmt.Clauses["RETURNING"]; ok {
		return false
	}
	if c, ok := stmt.Clauses["WHERE"]; ok {
		if w, ok := c.Expression.(clause.Where); !ok || len(w.Exprs) > 0 {
			return false
		}
	}
	m := p.model(stmt.Schema)
	if m == nil {
		return false
	}
	ran, err := collector.RunGiven(withDB(db), p.delEnv, m, stmt.Schema, instances(stmt.ReflectValue, stmt.Schema.ModelType), stmt.Dest, func() error {
		orig(db)
		return db.Error
	})
	if err != nil && err != db.Error {
		db.AddError(err) // a receiver's; GORM's DELETE records its own
	}
	if ran && db.Error == nil {
		setMark(stmt, resultKey, deleted{stmt})
	}
	return ran
}

// deleteOwn runs GORM's DELETE of the statement, the whole deletion.
func (p *Plugin) deleteOwn(db *gorm.DB, orig func(*gorm.DB)) {
	orig(db)
	if db.Error == nil {
		setMark(db.Statement, resultKey, deleted{db.Statement})
	}
}

// collects reports whether the collector handles the statement: not one of
// its own, a failed or dry run, raw SQL, a join table or a model without a
// primary key, which GORM's DELETE handles.
func collects(db *gorm.DB) bool {
	stmt := db.Statement
	if db.Error != nil || db.DryRun || stmt.Schema == nil || stmt.SQL.Len() != 0 || len(stmt.Schema.PrimaryFields) == 0 {
		return false
	}
	if stmt.SkipHooks { // as the collector's own DELETEs are
		if _, raw := stmt.Settings.Load(collector.RawKey); raw {
			return false
		}
	}
	return !isJoinTable(stmt)
}

// layoutOptions describes the deletion stmt runs to the collector.
func layoutOptions(stmt *gorm.Statement) collector.Options {
	return collector.Options{Table: stmt.Table, Soft: collector.SoftField(stmt.Schema) != nil && !stmt.Unscoped,
		Signals: !stmt.SkipHooks, Done: selectedAssociations(stmt)}
}

// deleteRequest decodes what gorm:delete would delete: the statement's
// conditions, the primary keys of the value deleted (with the instances
// that carry them) and of db.Model, and on MySQL the ORDER BY and LIMIT of
// a conditional delete.
func deleteRequest(db *gorm.DB, mysql bool) (collector.Request, error) {
	where, pks, user, err := rootSelection(db)
	if err != nil {
		return collector.Request{}, err
	}
	req := collector.Request{Where: where, PKs: pks, User: user}
	if mysql {
		for _, name := range []string{"ORDER BY", "LIMIT"} {
			if cl, ok := db.Statement.Clauses[name]; ok {
				if ci, ok := cl.Expression.(clause.Interface); ok {
					req.Limit = append(req.Limit, ci)
				}
			}
		}
	}
	return req, nil
}

// collect runs the deletion l describes in the statement's transaction,
// or in one of its own when the statement has none.
func (p *Plugin) collect(db *gorm.DB, l *collector.Layout, req collector.Request) (*collector.Collector, DeleteResult, error) {
	stmt := db.Statement
	var origin any = stmt.Dest
	if len(req.PKs) == 0 {
		origin = queryOf(db, p.model(stmt.Schema), req.Where)
	}
	tx := db.Session(&gorm.Session{NewDB: true})
	_, inTx := stmt.ConnPool.(gorm.TxCommitter)
	if !inTx {
		// SkipDefaultTransaction or a session without one: the collection
		// still needs one.
		if tx = tx.Begin(); tx.Error != nil {
			return nil, DeleteResult{}, tx.Error
		}
	}
	c := collector.New(p.delEnv, l, tx, origin)
	r, err := c.Run(req)
	if !inTx {
		if err != nil {
			tx.Rollback()
		} else {
			err = tx.Commit().Error
		}
	}
	if err != nil {
		return nil, DeleteResult{}, publicError(err)
	}
	return c, DeleteResult{Total: r.Total, PerModel: r.PerModel}, nil
}

// publicError returns the collector's refusal as a [*ProtectedError] or a
// [*RestrictedError].
func publicError(err error) error {
	var r *collector.Refused
	switch {
	case !errors.As(err, &r):
		return err
	case r.Protect:
		return &ProtectedError{Model: r.Model, Relations: r.Relations, Objects: r.Objects}
	}
	return &RestrictedError{Model: r.Model, Relations: r.Relations, Objects: r.Objects}
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
