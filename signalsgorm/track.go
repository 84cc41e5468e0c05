package signalsgorm

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"sync"
	"unsafe"
	"weak"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
)

// TrackChanges turns on change tracking for the given models (pointers to
// model structs, or structs): their save events carry Changes, the fields
// that differ from the values loaded or last saved, with old and new
// values. Tracking keeps a snapshot of each instance a query loads, so it is
// opt-in: it costs memory and time per loaded row (see the benchmarks). The
// snapshots are held weakly: they never keep an instance alive and vanish
// with it.
func TrackChanges(models ...any) Option {
	return func(p *Plugin) {
		p.track.types, p.err = addModelTypes(p.track.types, "TrackChanges", models, p.err)
	}
}

// addModelTypes adds the struct types of models (pointers to model
// structs, or structs) to set, or records an error naming option.
func addModelTypes(set map[reflect.Type]bool, option string, models []any, err error) (map[reflect.Type]bool, error) {
	for _, m := range models {
		t := reflect.TypeOf(m)
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			return set, fmt.Errorf("signalsgorm: %s: %T is not a model struct", option, m)
		}
		if set == nil {
			set = map[reflect.Type]bool{}
		}
		set[t] = true
	}
	return set, err
}

// TrackAllChanges turns on change tracking for every model; see
// [TrackChanges].
func TrackAllChanges() Option {
	return func(p *Plugin) { p.track.all = true }
}

// tracker keeps the snapshots of tracked instances without keeping the
// instances alive. Snapshots live in regions: the memory of one instance,
// or the backing array of a slice a query filled. Each region holds a weak
// pointer to its memory, so a look-up can tell a live object from a freed
// one whose address was reused, and a runtime cleanup drops the region when
// its memory is collected. One weak pointer and one cleanup per region (not
// per row) keep loading a slice of n rows linear.
type tracker struct {
	all   bool
	types map[reflect.Type]bool

	mu      sync.Mutex
	regions map[uintptr]*region // by start address
	starts  []uintptr           // sorted
	n       int                 // snapshots held

	// What else the plugin remembers about the instances it sees and how
	// it saves them: the loads with a column subset (partial.go), and the
	// options and warnings of saves with update fields (prechange.go,
	// updatecheck.go).
	partial          partialLoads
	writeChanges     bool     // WritePreSaveChanges
	reportNotUpdated bool     // ReportNotUpdated
	warned           sync.Map // modelField → true: the warnings given
}

type region struct {
	base       weak.Pointer[byte]
	start, end uintptr
	size       uintptr // element size
	snaps      [][]any
}

func (tr *tracker) tracks(t reflect.Type) bool {
	return tr.all || len(tr.types) > 0 && tr.types[t]
}

// find returns the live region containing addr. tr.mu is held.
func (tr *tracker) find(addr uintptr) *region {
	i := sort.Search(len(tr.starts), func(i int) bool { return tr.starts[i] > addr }) - 1
	if i < 0 {
		return nil
	}
	r := tr.regions[tr.starts[i]]
	if addr >= r.end || r.base.Value() == nil {
		return nil
	}
	return r
}

// newRegion starts tracking n elements of size bytes at ptr. tr.mu is held.
func (tr *tracker) newRegion(ptr unsafe.Pointer, n int, size uintptr) *region {
	start := uintptr(ptr)
	b := (*byte)(ptr)
	r := &region{base: weak.Make(b), start: start, end: start + uintptr(n)*size, size: size, snaps: make([][]any, n)}
	if old, ok := tr.regions[start]; ok {
		tr.n -= old.count()
	} else {
		i := sort.Search(len(tr.starts), func(i int) bool { return tr.starts[i] > start })
		tr.starts = slices.Insert(tr.starts, i, start)
	}
	if tr.regions == nil {
		tr.regions = map[uintptr]*region{}
	}
	tr.regions[start] = r
	runtime.AddCleanup(b, tr.drop, r.base)
	return r
}

func (r *region) count() int {
	n := 0
	for _, s := range r.snaps {
		if s != nil {
			n++
		}
	}
	return n
}

// drop forgets the region whose memory was collected.
func (tr *tracker) drop(base weak.Pointer[byte]) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for i, start := range tr.starts {
		if r := tr.regions[start]; r.base == base {
			tr.n -= r.count()
			delete(tr.regions, start)
			tr.starts = slices.Delete(tr.starts, i, i+1)
			return
		}
	}
}

// columns returns the fields of s stored in columns, in a stable order.
func columns(s *schema.Schema) []*schema.Field {
	out := make([]*schema.Field, 0, len(s.DBNames))
	for _, name := range s.DBNames {
		if f := s.FieldsByDBName[name]; f != nil {
			out = append(out, f)
		}
	}
	return out
}

func values(ctx context.Context, fields []*schema.Field, inst reflect.Value) []any {
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i], _ = f.ValueOf(ctx, inst.Elem())
	}
	return out
}

// set stores vals as the snapshot of the element at addr in r. tr.mu is
// held.
func (tr *tracker) set(r *region, addr uintptr, vals []any) {
	i := (addr - r.start) / r.size
	if r.snaps[i] == nil {
		tr.n++
	}
	r.snaps[i] = vals
}

// snapshot records the current values of inst (a pointer to a model).
func (tr *tracker) snapshot(ctx context.Context, fields []*schema.Field, inst reflect.Value) {
	vals := values(ctx, fields, inst)
	addr := inst.Pointer()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	r := tr.find(addr)
	if r == nil {
		r = tr.newRegion(inst.UnsafePointer(), 1, inst.Type().Elem().Size())
	}
	tr.set(r, addr, vals)
}

// snapshotSlice records the values of every element of a slice of structs,
// in one region.
func (tr *tracker) snapshotSlice(ctx context.Context, fields []*schema.Field, slice reflect.Value) {
	n := slice.Len()
	if n == 0 {
		return
	}
	vals := make([][]any, n)
	for i := range n {
		vals[i] = values(ctx, fields, slice.Index(i).Addr())
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	r := tr.newRegion(slice.Index(0).Addr().UnsafePointer(), n, slice.Type().Elem().Size())
	for i, v := range vals {
		tr.set(r, r.start+uintptr(i)*r.size, v)
	}
}

// old returns the snapshot of inst, if any.
func (tr *tracker) old(inst reflect.Value) ([]any, bool) {
	addr := inst.Pointer()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	r := tr.find(addr)
	if r == nil {
		return nil, false
	}
	vals := r.snaps[(addr-r.start)/r.size]
	return vals, vals != nil
}

// size returns the number of snapshots held (for tests).
func (tr *tracker) size() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.n
}

// trackLoaded snapshots the instances a query read, for tracked models.
func (p *Plugin) trackLoaded(db *gorm.DB) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun || db.RowsAffected == 0 || !p.track.tracks(stmt.Schema.ModelType) {
		return
	}
	fields := columns(stmt.Schema)
	rv := stmt.ReflectValue
	if rv.Kind() == reflect.Slice && rv.Type().Elem() == stmt.Schema.ModelType {
		p.track.snapshotSlice(stmt.Context, fields, rv)
		return
	}
	for _, v := range instances(rv, stmt.Schema.ModelType) {
		p.track.snapshot(stmt.Context, fields, v)
	}
}

// oldValues returns the values inst had in the database: its snapshot, or,
// for an instance that was not loaded (db.Model(&Book{ID: 1}).Updates(...)),
// the row read by primary key in the statement's transaction. ok is false
// for a row that does not exist.
func (p *Plugin) oldValues(db *gorm.DB, fields []*schema.Field, inst reflect.Value) ([]any, bool) {
	if vals, ok := p.track.old(inst); ok {
		return vals, true
	}
	stmt := db.Statement
	row := reflect.New(stmt.Schema.ModelType)
	q := db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Table(stmt.Table)
	for _, f := range stmt.Schema.PrimaryFields {
		v, _ := f.ValueOf(stmt.Context, inst.Elem())
		q = q.Where(stmt.Quote(f.DBName)+" = ?", v)
	}
	if err := q.Take(row.Interface()).Error; err != nil {
		return nil, false
	}
	return values(stmt.Context, fields, row), true
}

// changes computes the changes of a save of inst. For a created object they
// are its non-zero fields; for an update, the fields whose value differs
// from old, restricted to only (the update fields) when not nil.
func changes(ctx context.Context, fields []*schema.Field, inst reflect.Value, old []any, created bool, only []string) modelsignals.Changes {
	names := make([]string, 0, len(fields))
	var olds, news []any
	for i, f := range fields {
		if only != nil && !slices.Contains(only, f.Name) {
			continue
		}
		nv, zero := f.ValueOf(ctx, inst.Elem())
		var ov any
		switch {
		case created:
			if zero {
				continue
			}
		case old != nil:
			ov = old[i]
		}
		names = append(names, f.Name)
		olds, news = append(olds, ov), append(news, nv)
	}
	return modelsignals.Diff(names, olds, news)
}
