package collector

import (
	"context"
	"reflect"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// Request is what a DELETE statement selects, decoded from it.
type Request struct {
	// Where are the statement's conditions.
	Where []clause.Expression
	// PKs are the primary keys of the value deleted, User the instances
	// that carry them (they become the events' instances).
	PKs  [][]any
	User []reflect.Value
	// Limit holds the ORDER BY and LIMIT clauses of a conditional delete
	// on MySQL, where GORM's DELETE honours them.
	Limit []clause.Interface
	// Instances is set when the statement deletes the instances User
	// holds, as Django's Model.delete() does, and nothing else: no
	// condition but their primary keys (Where empty), and no RETURNING
	// clause to scan the stored rows into them. See [Layout.Given].
	Instances bool
}

// Run collects what req selects, checks Protect and Restrict relations
// ([*Refused]) and, when nothing refuses, deletes: nothing is written or
// sent before collection succeeds.
func (c *Collector) Run(req Request) (Result, error) {
	if err := c.collectRoot(req); err != nil {
		return Result{}, err
	}
	if err := c.check(); err != nil {
		return Result{}, err
	}
	return c.execute()
}

// ReturnRows gives a statement with a RETURNING clause the deleted root
// rows, as GORM does with the rows the database returns.
func (c *Collector) ReturnRows(stmt *gorm.Statement) {
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

// RunGiven runs, with del, the statement's own DELETE, the deletion of
// the instances user (pointers to structs of s, model m) of a model that
// reaches nothing and whose rows are hard deleted ([Graph.Leaf]), in the
// order [Collector.Run] follows: pre_delete for each instance by
// ascending key, del, post_delete by descending key. ctx is the
// receivers' context, origin the events' Origin. It reports false, having
// done nothing, when no instance has a primary key (the statement then
// deletes by its conditions alone) or when their keys take more bind
// parameters than one statement may have.
func RunGiven(ctx context.Context, env *Env, m *modelsignals.Model, s *schema.Schema, user []reflect.Value, origin any, del func() error) (bool, error) {
	npk := len(s.PrimaryFields)
	if len(user) == 0 || npk == 0 || len(user)*npk > env.MaxParams {
		return false, nil
	}
	insts := user
	if len(user) == 1 {
		if !hasKey(ctx, s, user[0]) {
			return false, nil
		}
	} else {
		rows := make([]*row, 0, len(user))
		for _, u := range user {
			if hasKey(ctx, s, u) {
				rows = append(rows, &row{vals: key.Values(ctx, s.PrimaryFields, u), inst: u})
			}
		}
		if len(rows) == 0 {
			return false, nil
		}
		slices.SortStableFunc(rows, func(a, b *row) int { return key.Compare(a.vals, b.vals) })
		rows = slices.CompactFunc(rows, func(a, b *row) bool { return key.Compare(a.vals, b.vals) == 0 })
		insts = make([]reflect.Value, len(rows))
		for i, r := range rows {
			insts[i] = r.inst
		}
	}
	ev := modelsignals.DeleteEvent{Model: m, Using: env.Using, Origin: origin}
	for _, u := range insts {
		ev.Instance = u.Interface()
		if err := modelsignals.PreDelete.Send(ctx, s.ModelType, ev); err != nil {
			return true, err
		}
	}
	if err := del(); err != nil {
		return true, err
	}
	for i := len(insts) - 1; i >= 0; i-- {
		ev.Instance = insts[i].Interface()
		if err := modelsignals.PostDelete.Send(ctx, s.ModelType, ev); err != nil {
			return true, err
		}
	}
	return true, nil
}

// hasKey reports whether the instance u of s has a primary key: one of its
// fields is not zero, as GORM's DELETE takes it.
func hasKey(ctx context.Context, s *schema.Schema, u reflect.Value) bool {
	for _, f := range s.PrimaryFields {
		if _, zero := f.ValueOf(ctx, u.Elem()); !zero {
			return true
		}
	}
	return false
}
