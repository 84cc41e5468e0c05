package collector

import (
	"fmt"
	"reflect"

	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// load reads the rows of n matching cond, as its mode says.
func (c *Collector) load(n *node, cond []clause.Expression) ([]*row, error) {
	if n.load == LoadKeys {
		return c.loadKeys(n, cond)
	}
	insts, err := c.loadRows(n.s, n.table, cond)
	if err != nil {
		return nil, err
	}
	rows := make([]*row, len(insts))
	for i, inst := range insts {
		r := &row{vals: make([]any, len(n.cols)), inst: inst}
		for j, f := range n.cols {
			r.vals[j], _ = f.ValueOf(c.ctx, inst.Elem())
		}
		rows[i] = r
	}
	return rows, nil
}

// loadRows reads the rows of s (in table) matching cond into instances, as
// GORM's Find does: post_init is sent for them.
func (c *Collector) loadRows(s *schema.Schema, table string, cond []clause.Expression) ([]reflect.Value, error) {
	dest := reflect.New(reflect.SliceOf(reflect.PointerTo(s.ModelType)))
	if err := c.query(s, table, cond).Find(dest.Interface()).Error; err != nil {
		return nil, fmt.Errorf("signalsgorm: collecting %s: %w", table, err)
	}
	sl := dest.Elem()
	out := make([]reflect.Value, sl.Len())
	for i := range out {
		out[i] = sl.Index(i)
	}
	return out, nil
}

// loadKeys reads only the key columns of the rows of n matching cond.
func (c *Collector) loadKeys(n *node, cond []clause.Expression) ([]*row, error) {
	names := make([]string, len(n.cols))
	for i, f := range n.cols {
		names[i] = f.DBName
	}
	rs, err := c.query(n.s, n.table, cond).Select(names).Rows()
	if err != nil {
		return nil, fmt.Errorf("signalsgorm: collecting %s: %w", n.table, err)
	}
	defer rs.Close()
	var rows []*row
	ptrs := make([]any, len(n.cols))
	for rs.Next() {
		for i, f := range n.cols {
			ptrs[i] = reflect.New(f.FieldType).Interface()
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("signalsgorm: collecting %s: %w", n.table, err)
		}
		r := &row{vals: make([]any, len(n.cols))}
		for i, p := range ptrs {
			r.vals[i] = reflect.ValueOf(p).Elem().Interface()
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("signalsgorm: collecting %s: %w", n.table, err)
	}
	return rows, nil
}
