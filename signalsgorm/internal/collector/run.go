package collector

import (
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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
}

// Run collects what req selects, checks Protect and Restrict relations
// ([*Refused]) and, when nothing refuses, deletes: nothing is written or
// sent before collection succeeds.
func (c *Collector) Run(req Request) (Result, error) {
	if err := c.collectRoot(req.Where, req.PKs, req.User, req.Limit); err != nil {
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
