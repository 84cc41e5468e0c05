package collector

import (
	"context"
	"reflect"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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

// RunGiven runs, with del, the deletion of the instances req gives of a
// model that reaches nothing ([Layout.Alone] and [Layout.Given]), with
// the statement's own DELETE, in the order [Collector.Run] follows:
// pre_delete for each instance by ascending key, del, post_delete by
// descending key. ctx is the receivers' context, origin the events'
// Origin. It reports false, having done nothing, when the instances'
// keys take more bind parameters than one statement may have.
func RunGiven(ctx context.Context, env *Env, l *Layout, req Request, origin any, del func() error) (bool, error) {
	r := l.root
	if len(req.PKs)*r.npk > env.MaxParams {
		return false, nil
	}
	rows := l.givenRows(ctx, req.User)
	if len(rows) > 1 {
		slices.SortStableFunc(rows, func(a, b *row) int { return key.Compare(a.vals[:r.npk], b.vals[:r.npk]) })
		rows = slices.CompactFunc(rows, func(a, b *row) bool { return key.Compare(a.vals[:r.npk], b.vals[:r.npk]) == 0 })
	}
	c := &Collector{env: env, l: l, origin: origin}
	for _, row := range rows {
		if err := modelsignals.PreDelete.Send(ctx, r.s.ModelType, c.event(r, row)); err != nil {
			return true, err
		}
	}
	if err := del(); err != nil {
		return true, err
	}
	for i := len(rows) - 1; i >= 0; i-- {
		if err := modelsignals.PostDelete.Send(ctx, r.s.ModelType, c.event(r, rows[i])); err != nil {
			return true, err
		}
	}
	return true, nil
}
