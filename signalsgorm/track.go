package signalsgorm

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
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
		for _, m := range models {
			t := reflect.TypeOf(m)
			for t != nil && t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if t == nil || t.Kind() != reflect.Struct {
				p.err = fmt.Errorf("signalsgorm: TrackChanges: %T is not a model struct", m)
				return
			}
			if p.track.types == nil {
				p.track.types = map[reflect.Type]bool{}
			}
			p.track.types[t] = true
		}
	}
}

// TrackAllChanges turns on change tracking for every model; see
// [TrackChanges].
func TrackAllChanges() Option {
	return func(p *Plugin) { p.track.all = true }
}

// tracker keeps the snapshots of tracked instances, keyed by a weak pointer
// to the instance: an entry never keeps its instance alive, and a runtime
// cleanup removes it once the instance is collected.
type tracker struct {
	all   bool
	types map[reflect.Type]bool

	mu    sync.Mutex
	snaps map[weak.Pointer[byte]][]any
}

func (tr *tracker) tracks(t reflect.Type) bool {
	return tr.all || tr.types[t]
}

func key(inst reflect.Value) (weak.Pointer[byte], *byte) {
	p := (*byte)(unsafe.Pointer(inst.Pointer()))
	return weak.Make(p), p
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

// snapshot records the current values of inst (a pointer to a model).
func (tr *tracker) snapshot(ctx context.Context, fields []*schema.Field, inst reflect.Value) {
	vals := values(ctx, fields, inst)
	k, p := key(inst)
	tr.mu.Lock()
	if tr.snaps == nil {
		tr.snaps = map[weak.Pointer[byte]][]any{}
	}
	_, known := tr.snaps[k]
	tr.snaps[k] = vals
	tr.mu.Unlock()
	if !known {
		runtime.AddCleanup(p, tr.forget, k)
	}
}

func (tr *tracker) forget(k weak.Pointer[byte]) {
	tr.mu.Lock()
	delete(tr.snaps, k)
	tr.mu.Unlock()
}

// old returns the snapshot of inst, if any.
func (tr *tracker) old(inst reflect.Value) ([]any, bool) {
	k, _ := key(inst)
	tr.mu.Lock()
	vals, ok := tr.snaps[k]
	tr.mu.Unlock()
	return vals, ok
}

// size returns the number of snapshots held (for tests).
func (tr *tracker) size() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.snaps)
}

// trackLoaded snapshots the instances a query read, for tracked models.
func (p *Plugin) trackLoaded(db *gorm.DB) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun || db.RowsAffected == 0 || !p.track.tracks(stmt.Schema.ModelType) {
		return
	}
	fields := columns(stmt.Schema)
	for _, v := range instances(stmt.ReflectValue, stmt.Schema.ModelType) {
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
