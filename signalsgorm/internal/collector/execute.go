package collector

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// Result is what a deletion removed: Django's (total, {label: n}).
type Result struct {
	Total    int64
	PerModel map[string]int64
}

// execute runs a collected deletion, in Django's order (tests/delete/tests.py,
// DeletionTests.test_deletion_order and
// DeletionTests.test_relational_post_delete_signals_happen_before_parent_object):
// every pre_delete (models in dependency order, rows by ascending key); the
// updates of SetNull and SetDefault relations; then model by model its
// DELETEs followed by its post_delete (rows by descending key).
func (c *Collector) execute() (Result, error) {
	res := Result{PerModel: map[string]int64{}}
	order := c.sorted()
	for _, n := range c.seen {
		set := c.sets[n]
		slices.SortStableFunc(set.rows, func(a, b *row) int { return key.Compare(a.vals[:n.npk], b.vals[:n.npk]) })
	}
	groups := make(map[*node][][]*row, len(order))
	for _, n := range order {
		groups[n] = c.groups(n)
	}
	ctx := c.env.Context(c.tx)
	c.startWatch()
	for _, n := range order {
		if err := c.sendPre(ctx, n); err != nil {
			return res, err
		}
	}
	for _, u := range c.updates {
		if err := c.runUpdate(u); err != nil {
			return res, err
		}
	}
	for _, n := range order {
		count, err := c.deleteRows(n, groups[n])
		if err != nil {
			return res, err
		}
		if count > 0 {
			res.PerModel[n.label] += count
			res.Total += count
		}
		if err := c.sendPost(ctx, n); err != nil {
			return res, err
		}
	}
	return res, nil
}

// sendPre sends pre_delete for the rows of n, by ascending key.
func (c *Collector) sendPre(ctx context.Context, n *node) error {
	if !n.signals {
		return nil
	}
	for _, r := range c.sets[n].rows {
		if err := modelsignals.PreDelete.Send(ctx, n.s.ModelType, c.event(n, r)); err != nil {
			return err
		}
	}
	return nil
}

// sendPost sends post_delete for the rows of n, by descending key.
func (c *Collector) sendPost(ctx context.Context, n *node) error {
	if !n.signals {
		return nil
	}
	rows := c.sets[n].rows
	for i := len(rows) - 1; i >= 0; i-- {
		if err := modelsignals.PostDelete.Send(ctx, n.s.ModelType, c.event(n, rows[i])); err != nil {
			return err
		}
	}
	return nil
}

// deleteRows runs the DELETEs of n: by condition for the rows never read,
// then by the conditions the rows were read with where those delete
// exactly them (setBased), by key otherwise, group by group, in chunks;
// it returns the rows deleted.
func (c *Collector) deleteRows(n *node, groups [][]*row) (int64, error) {
	var count int64
	for _, cond := range c.fast[n] {
		k, err := c.runDelete(n, cond, nil)
		if err != nil {
			return count, err
		}
		count += k
	}
	if conds := c.setBased(n, groups); conds != nil {
		k, err := c.deleteByCond(n, conds, groups[0])
		return count + k, err
	}
	for _, group := range groups {
		for _, chunk := range chunks(group, chunkSize(c.limit, n.npk)) {
			k, err := c.runDelete(n, c.pkCond(n, chunk), chunk)
			if err != nil {
				return count, err
			}
			count += k
		}
	}
	return count, nil
}

func (c *Collector) event(n *node, r *row) modelsignals.DeleteEvent {
	return modelsignals.DeleteEvent{Model: n.model, Instance: r.inst.Interface(), Using: c.env.Using, Origin: c.origin, Soft: c.l.soft}
}

func (c *Collector) pkCond(n *node, rows []*row) []clause.Expression {
	if n.npk == 1 { // schema.ToQueryValues' result, without its [][]any
		vs := make([]any, len(rows))
		for i, r := range rows {
			vs[i] = r.vals[0]
		}
		return []clause.Expression{inList{clause.IN{Column: clause.Column{Table: n.table, Name: n.s.PrimaryFieldDBNames[0]}, Values: vs}}}
	}
	vals := make([][]any, len(rows))
	for i, r := range rows {
		vals[i] = r.vals[:n.npk]
	}
	col, vs := schema.ToQueryValues(n.table, n.s.PrimaryFieldDBNames, vals)
	return []clause.Expression{inList{clause.IN{Column: col, Values: vs}}}
}

// runDelete deletes (or soft deletes) the rows of n matching cond through
// GORM's Delete, which the plugin then leaves alone; rows are the
// collected rows it removes, whose instances get the soft-delete value.
func (c *Collector) runDelete(n *node, cond []clause.Expression, rows []*row) (int64, error) {
	dest := reflect.New(n.s.ModelType)
	db := c.tx.Session(&gorm.Session{NewDB: true, SkipHooks: true, NowFunc: c.now}).Set(RawKey, true).Table(n.table)
	if !c.l.soft {
		db = db.Unscoped()
	}
	db = db.Clauses(clause.Where{Exprs: cond}).Delete(dest.Interface())
	if db.Error != nil {
		return 0, fmt.Errorf("signalsgorm: deleting from %s: %w", n.table, db.Error)
	}
	c.ours += db.RowsAffected
	if n.soft != nil {
		v, _ := n.soft.ValueOf(c.ctx, dest.Elem())
		for _, r := range rows {
			if r.inst.IsValid() {
				_ = n.soft.Set(c.ctx, r.inst.Elem(), v)
			}
		}
	}
	return db.RowsAffected, nil
}

// runUpdate sets the foreign key of u's relation, without save signals
// (tests/delete/tests.py, OnDeleteTests.test_setnull); as any UPDATE
// that does not go through objects, it sends pre_update and post_update,
// except for the keys set to NULL to cut a cycle
// (DeletionTests.test_cannot_defer_constraint_checks).
func (c *Collector) runUpdate(u update) error {
	e := u.e
	vals := make(map[string]any, len(e.fks))
	for _, f := range e.fks {
		vals[f.DBName] = nil
		if e.mode == SetDefault && !u.null {
			vals[f.DBName] = defaultOf(f)
		}
	}
	ctx := c.ctx
	if u.null {
		// Keys about to be deleted: not an update anyone asked for.
		ctx = signals.Mute(ctx, modelsignals.PreUpdate, modelsignals.PostUpdate)
	}
	db := c.tx.Session(&gorm.Session{NewDB: true, Context: ctx}).Model(reflect.New(e.child.ModelType).Interface()).Table(e.child.Table)
	if !c.l.soft {
		db = db.Unscoped()
	}
	if db = db.Clauses(clause.Where{Exprs: u.cond}).UpdateColumns(vals); db.Error != nil {
		return fmt.Errorf("signalsgorm: updating %s for %s: %w", e.child.Table, e.name, db.Error)
	}
	c.ours += db.RowsAffected
	return nil
}

// defaultOf returns the default of f as GORM declares it, or NULL.
func defaultOf(f *schema.Field) any {
	switch {
	case f.DefaultValueInterface != nil:
		return f.DefaultValueInterface
	case f.HasDefaultValue && f.DefaultValue != "" && !strings.EqualFold(f.DefaultValue, "null"):
		return gorm.Expr(f.DefaultValue)
	}
	return nil
}
