package signalsgorm

// Objects loaded with a subset of their columns (Django's deferred
// fields). A query with Select or Omit leaves the other fields of the
// objects it fills at their zero value; GORM's Save would write those zeros
// over the row. Django saves only the loaded fields of a deferred instance
// (docs: Model.save, "Specifying which fields to save";
// tests/update_only_fields/tests.py, UpdateOnlyFieldsTests.test_update_fields_deferred,
// test_update_fields_only_1, test_update_fields_only_repeated), and so does
// the plugin: post_init remembers the columns a partial load read, and Save
// becomes a save with those update fields.

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// partialLoads remembers the objects queries loaded with a column subset,
// without keeping them alive: as the tracker's snapshots, entries live in
// regions (the memory of one object, or the backing array of a slice a
// query filled) that hold their memory weakly and vanish with it. While
// none is held, queries and saves pay one atomic load.
type partialLoads struct {
	live atomic.Int64 // regions held

	mu      sync.Mutex
	regions map[uintptr]*partialRegion // by start address
	starts  []uintptr                  // sorted
}

type partialRegion struct {
	base       weak.Pointer[byte]
	start, end uintptr
	size       uintptr
	typ        reflect.Type
	loaded     *loadedColumns   // of every element, unless each is set
	each       []*loadedColumns // per element, once one was reloaded
}

// loadedColumns are the columns a partial load read, by column name.
type loadedColumns struct {
	cols map[string]bool
}

// of returns the loaded columns of the element at addr.
func (r *partialRegion) of(addr uintptr) *loadedColumns {
	if r.each != nil {
		return r.each[(addr-r.start)/r.size]
	}
	return r.loaded
}

// find returns the live region containing addr. pl.mu is held.
func (pl *partialLoads) find(addr uintptr) *partialRegion {
	i := sort.Search(len(pl.starts), func(i int) bool { return pl.starts[i] > addr }) - 1
	if i < 0 {
		return nil
	}
	r := pl.regions[pl.starts[i]]
	if addr >= r.end || r.base.Value() == nil {
		return nil
	}
	return r
}

// get returns the columns inst (a pointer to a model struct) was loaded
// with, or nil when it was not loaded with a column subset.
func (pl *partialLoads) get(inst reflect.Value) *loadedColumns {
	if pl.live.Load() == 0 {
		return nil
	}
	addr := inst.Pointer()
	pl.mu.Lock()
	defer pl.mu.Unlock()
	r := pl.find(addr)
	if r == nil || r.typ != inst.Type().Elem() {
		return nil
	}
	return r.of(addr)
}

// set records that the n elements of type t at ptr were loaded with lc
// (nil: with every column).
func (pl *partialLoads) set(ptr unsafe.Pointer, n int, t reflect.Type, lc *loadedColumns) {
	start, end := uintptr(ptr), uintptr(ptr)+uintptr(n)*t.Size()
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if r := pl.find(start); r != nil && r.typ == t {
		switch {
		case r.start == start && r.end == end: // the same memory loaded again
			r.loaded, r.each = lc, nil
			return
		case n == 1: // one element of a slice loaded again
			if r.each == nil {
				r.each = make([]*loadedColumns, (r.end-r.start)/r.size)
				for i := range r.each {
					r.each[i] = r.loaded
				}
			}
			r.each[(start-r.start)/r.size] = lc
			return
		}
	}
	if lc == nil {
		return
	}
	b := (*byte)(ptr)
	r := &partialRegion{base: weak.Make(b), start: start, end: end, size: t.Size(), typ: t, loaded: lc}
	if _, ok := pl.regions[start]; !ok {
		i := sort.Search(len(pl.starts), func(i int) bool { return pl.starts[i] > start })
		pl.starts = slices.Insert(pl.starts, i, start)
		pl.live.Add(1)
	}
	if pl.regions == nil {
		pl.regions = map[uintptr]*partialRegion{}
	}
	pl.regions[start] = r
	runtime.AddCleanup(b, pl.drop, r.base)
}

// drop forgets the region whose memory was collected.
func (pl *partialLoads) drop(base weak.Pointer[byte]) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	for i, start := range pl.starts {
		if pl.regions[start].base == base {
			delete(pl.regions, start)
			pl.starts = slices.Delete(pl.starts, i, i+1)
			pl.live.Add(-1)
			return
		}
	}
}

// size returns the number of regions held (for tests).
func (pl *partialLoads) size() int { return int(pl.live.Load()) }

// rememberLoads, in post_init, records the columns a query read into
// objects of its model when it read a subset (Select, Omit, a select
// expression), and forgets what was recorded for memory a full load fills
// again. A query that selects every column ("SELECT *") and finds nothing
// recorded costs an atomic load.
func (p *Plugin) rememberLoads(db *gorm.DB) {
	stmt := db.Statement
	partial := len(stmt.Selects) > 0 || len(stmt.Omits) > 0 ||
		!strings.HasPrefix(stmt.SQL.String(), "SELECT *") && selectExpr(stmt) != ""
	if !partial && p.track.partial.live.Load() == 0 || !readsModel(stmt) {
		return
	}
	var lc *loadedColumns
	if partial {
		lc = loadedOf(stmt)
	}
	t := stmt.Schema.ModelType
	rv := stmt.ReflectValue
	if rv.Kind() == reflect.Slice && rv.Type().Elem() == t {
		if rv.Len() > 0 {
			p.track.partial.set(rv.Index(0).Addr().UnsafePointer(), rv.Len(), t, lc)
		}
		return
	}
	for _, v := range instances(rv, t) {
		p.track.partial.set(v.UnsafePointer(), 1, t, lc)
	}
}

// selectExpr returns the SQL of a select expression set with
// db.Select("sql ?", args...), or "".
func selectExpr(stmt *gorm.Statement) string {
	c, ok := stmt.Clauses["SELECT"]
	if !ok {
		return ""
	}
	switch e := c.Expression.(type) { // clause.Select.MergeClause keeps the expression alone
	case clause.Expr:
		return strings.TrimPrefix(e.SQL, "DISTINCT ")
	case clause.NamedExpr:
		return e.SQL
	}
	return ""
}

// loadedOf returns the columns a query with Select, Omit or a select
// expression reads into its model, or nil when it reads all of them.
func loadedOf(stmt *gorm.Statement) *loadedColumns {
	s := stmt.Schema
	lc := &loadedColumns{cols: map[string]bool{}}
	all := false
	add := func(sql string) {
		for _, part := range splitSelect(sql) {
			table, name := selectedName(part)
			if table != "" && table != stmt.Table && table != s.Table {
				continue // another table's column (a join)
			}
			if name == "*" {
				all = true
			} else if f := s.LookUpField(name); f != nil && f.DBName != "" {
				lc.cols[f.DBName] = true
			}
		}
	}
	for _, sel := range stmt.Selects {
		add(sel)
	}
	expr := selectExpr(stmt)
	add(expr)
	omitOnly := len(stmt.Selects) == 0 && expr == "" // GORM applies Omit only then
	if all || omitOnly {
		for _, name := range s.DBNames {
			lc.cols[name] = true
		}
	}
	if omitOnly {
		for _, o := range stmt.Omits {
			if f := s.LookUpField(o); f != nil {
				delete(lc.cols, f.DBName)
			}
		}
	}
	if len(lc.cols) == len(s.DBNames) {
		return nil
	}
	return lc
}

// splitSelect splits a select list at its top-level commas.
func splitSelect(sql string) []string {
	var parts []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			parts = append(parts, sql[start:i])
			start = i + 1
		}
	}
	return append(parts, sql[start:])
}

// selectedName returns the column a select-list item is read into: its
// alias (expr AS name), or its column with the table it names (t.col).
func selectedName(part string) (table, name string) {
	part = strings.TrimSpace(part)
	if i := strings.LastIndex(strings.ToLower(part), " as "); i >= 0 && !strings.Contains(part[i:], ")") {
		return "", unquote(part[i+4:])
	}
	if strings.ContainsAny(part, "( ") {
		return "", "" // an expression without an alias
	}
	if i := strings.LastIndexByte(part, '.'); i >= 0 {
		return unquote(part[:i]), unquote(part[i+1:])
	}
	return "", unquote(part)
}

func unquote(s string) string { return strings.Trim(strings.TrimSpace(s), "`\"") }

// restrictToLoaded turns a Save of an object loaded with a column subset
// into a save with update fields: the columns loaded, and those not loaded
// that hold a non-zero value, set since (Django adds an assigned deferred
// field to the fields saved). It reports whether it did. A Save with
// nothing to write is an error: the object was loaded with its key only.
func (p *Plugin) restrictToLoaded(stmt *gorm.Statement, label string) (bool, error) {
	inst := stmt.ReflectValue.Addr()
	lc := p.track.partial.get(inst)
	if lc == nil {
		return false, nil
	}
	names := []string{clause.Associations} // related objects are saved as by Save
	for _, f := range columns(stmt.Schema) {
		if f.PrimaryKey || !f.Updatable || f.AutoUpdateTime != 0 { // GORM writes UpdatedAt anyway
			continue
		}
		if lc.cols[f.DBName] || !zeroField(stmt.Context, f, inst) {
			names = append(names, f.Name)
		}
	}
	if len(names) == 1 {
		return false, fmt.Errorf("signalsgorm: Save of %s#%s: it was loaded with a column subset that holds none of its fields "+
			"and none was set since: nothing to save (load the columns to save, or name them with Select)",
			label, pkKey(stmt, inst))
	}
	stmt.Selects = names
	return true, nil
}

func zeroField(ctx context.Context, f *schema.Field, inst reflect.Value) bool {
	_, zero := f.ValueOf(ctx, inst.Elem())
	return zero
}
