package collector

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// load reads the rows of n matching cond, as its mode says.
func (c *Collector) load(n *node, cond []clause.Expression) ([]*row, error) {
	if n.load == LoadKeys {
		return c.loadKeys(n, cond)
	}
	if c.lean(n.s) {
		return c.scanNode(n, cond)
	}
	insts, err := c.loadRows(n.s, n.table, cond)
	if err != nil {
		return nil, err
	}
	// One allocation for the rows and one for their values, not two a row.
	rows := make([]*row, len(insts))
	slab := make([]row, len(insts))
	vals := make([]any, len(insts)*len(n.cols))
	for i, inst := range insts {
		r := &slab[i]
		r.vals, r.inst = vals[i*len(n.cols):(i+1)*len(n.cols):(i+1)*len(n.cols)], inst
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
	if c.lean(s) {
		var out []reflect.Value
		err := c.scanRows(s, table, cond, func(inst reflect.Value) { out = append(out, inst) })
		return out, err
	}
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

// scanRows is loadRows without GORM's Find, for the models whose loading
// nothing observes (Env.Lean) and whose columns scan plainly
// (plainColumns): the same statement, each row scanned as the driver
// returns it and set into a new instance with GORM's field setters,
// without Find's per-column scan values, slice growth and conversions.
func (c *Collector) scanRows(s *schema.Schema, table string, cond []clause.Expression, emit func(inst reflect.Value)) error {
	rs, err := c.query(s, table, cond).Rows()
	if err != nil {
		return fmt.Errorf("signalsgorm: collecting %s: %w", table, err)
	}
	defer rs.Close()
	names, err := rs.Columns()
	if err != nil {
		return fmt.Errorf("signalsgorm: collecting %s: %w", table, err)
	}
	fields := make([]*schema.Field, len(names))
	for i, name := range names {
		if f := s.FieldsByDBName[name]; f != nil && f.Readable {
			fields[i] = f
		}
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range ptrs {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return fmt.Errorf("signalsgorm: collecting %s: %w", table, err)
		}
		inst := reflect.New(s.ModelType)
		for i, f := range fields {
			if f == nil {
				continue
			}
			if err := f.Set(c.ctx, inst.Elem(), vals[i]); err != nil {
				return fmt.Errorf("signalsgorm: collecting %s: column %s: %w", table, names[i], err)
			}
		}
		emit(inst)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("signalsgorm: collecting %s: %w", table, err)
	}
	return nil
}

// lean reports whether the rows of s are read with scanRows.
func (c *Collector) lean(s *schema.Schema) bool {
	return c.env.Lean != nil && plainColumns(s) && c.env.Lean(c.ctx, s)
}

// scanNode is load for a model read with scanRows: the rows and their
// key values are cut from blocks allocated a few rows at a time, doubling
// up to 256 rows, instead of three allocations a row.
func (c *Collector) scanNode(n *node, cond []clause.Expression) ([]*row, error) {
	var rows []*row
	var slab []row
	var vals []any
	w := len(n.cols)
	size := 4
	err := c.scanRows(n.s, n.table, cond, func(inst reflect.Value) {
		if len(slab) == 0 {
			slab, vals = make([]row, size), make([]any, size*w)
			size = min(2*size, 256)
		}
		r := &slab[0]
		slab = slab[1:]
		r.vals, vals = vals[:w:w], vals[w:]
		r.inst = inst
		for j, f := range n.cols {
			r.vals[j], _ = f.ValueOf(c.ctx, inst.Elem())
		}
		rows = append(rows, r)
	})
	return rows, err
}

var plainCache sync.Map // *schema.Schema → bool

// plainColumns reports whether every column of s is of a kind GORM's field
// setters take from driver values as Find would scan them: booleans,
// numbers, strings, byte slices and time.Time, without a serializer.
func plainColumns(s *schema.Schema) bool {
	if v, ok := plainCache.Load(s); ok {
		return v.(bool)
	}
	plain := true
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue
		}
		if f.Serializer != nil || !plainKind(f.FieldType) {
			plain = false
			break
		}
	}
	plainCache.Store(s, plain)
	return plain
}

func plainKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return t.PkgPath() == "" // not a named type with methods of its own
	case reflect.String:
		return t.PkgPath() == ""
	case reflect.Slice:
		return t == reflect.TypeFor[[]byte]()
	case reflect.Struct:
		return t == reflect.TypeFor[time.Time]()
	}
	return false
}
