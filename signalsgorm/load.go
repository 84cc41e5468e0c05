package signalsgorm

import (
	"fmt"
	"reflect"

	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// load reads the rows of n matching cond, as its mode says.
func (c *collector) load(n *node, cond []clause.Expression) ([]*row, error) {
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
func (c *collector) loadRows(s *schema.Schema, table string, cond []clause.Expression) ([]reflect.Value, error) {
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
func (c *collector) loadKeys(n *node, cond []clause.Expression) ([]*row, error) {
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

// check raises the errors of Protect and Restrict relations once
// everything is collected (C95, C97, C98): a restricted row is allowed when
// the deletion removes it through a cascade.
func (c *collector) check() error {
	root := c.l.root.label
	if len(c.protected) > 0 {
		rels, objs := c.gather(c.protected, nil)
		return &ProtectedError{Model: root, Relations: rels, Objects: objs}
	}
	rels, objs := c.gather(c.restricted, func(f found, obj reflect.Value) bool {
		ch := c.l.nodes[f.e.child]
		if ch == nil || c.sets[ch] == nil {
			return false
		}
		_, deleted := c.sets[ch].index[c.pkKey(ch.s, obj)]
		return deleted
	})
	if len(objs) > 0 {
		return &RestrictedError{Model: root, Relations: rels, Objects: objs}
	}
	return nil
}

// gather lists the relations and the distinct objects of fs, skipping
// those allowed reports.
func (c *collector) gather(fs []found, allowed func(found, reflect.Value) bool) (rels []string, objs []any) {
	seenRel := map[string]bool{}
	seenObj := map[string]bool{}
	for _, f := range fs {
		for _, o := range f.objs {
			if allowed != nil && allowed(f, o) {
				continue
			}
			if k := fmt.Sprintf("%s\x00%v", f.e.child.Table, c.pkKey(f.e.child, o)); !seenObj[k] {
				seenObj[k] = true
				objs = append(objs, o.Interface())
			}
			if !seenRel[f.top.name] {
				seenRel[f.top.name] = true
				rels = append(rels, f.top.name)
			}
		}
	}
	return rels, objs
}

func (c *collector) pkKey(s *schema.Schema, obj reflect.Value) any {
	if len(s.PrimaryFields) == 0 {
		return fmt.Sprintf("%p", obj.Interface())
	}
	vals := make([]any, len(s.PrimaryFields))
	for i, f := range s.PrimaryFields {
		vals[i], _ = f.ValueOf(c.ctx, obj.Elem())
	}
	return keyOf(vals)
}
