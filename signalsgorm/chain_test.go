package signalsgorm

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// compiledChain returns the names of the callbacks a processor runs, in
// the order GORM compiled them. GORM keeps that order in the processor's
// unexported fns (the handlers) and callbacks (their registrations, with
// names); a handler is matched to its registration by the identity of the
// function value, and a replaced callback is reported as "name (replaced)".
func compiledChain(t *testing.T, proc any) []string {
	t.Helper()
	pv := reflect.ValueOf(proc).Elem()
	fns := unexported(t, pv, "fns")
	cbs := unexported(t, pv, "callbacks")
	type reg struct {
		name     string
		replaced bool
	}
	byFunc := map[unsafe.Pointer]reg{}
	for i := 0; i < cbs.Len(); i++ {
		c := cbs.Index(i).Elem()
		name := unexported(t, c, "name").String()
		if unexported(t, c, "remove").Bool() {
			continue
		}
		byFunc[funcIdentity(unexported(t, c, "handler"))] = reg{name, unexported(t, c, "replace").Bool()}
	}
	var out []string
	for i := 0; i < fns.Len(); i++ {
		r, ok := byFunc[funcIdentity(fns.Index(i))]
		if !ok {
			t.Fatalf("compiled callback %d has no registration", i)
		}
		if r.replaced {
			r.name += " (replaced)"
		}
		out = append(out, r.name)
	}
	return out
}

func unexported(t *testing.T, v reflect.Value, field string) reflect.Value {
	t.Helper()
	f := v.FieldByName(field)
	if !f.IsValid() {
		t.Fatalf("GORM's %s has no field %q: update compiledChain to this GORM version", v.Type(), field)
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// funcIdentity returns the closure a func value points to: two method
// values of the same method are different closures.
func funcIdentity(fn reflect.Value) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(fn.UnsafeAddr()))
}

func TestDumpChain(t *testing.T) {
	for _, skip := range []bool{false, true} {
		cfg := dbtest.Config()
		cfg.SkipDefaultTransaction = skip
		db := dbtest.OpenConfig(t, "sqlite", cfg)
		if err := db.Use(New()); err != nil {
			t.Fatal(err)
		}
		cb := db.Callback()
		for _, p := range []struct {
			name string
			proc any
		}{{"create", cb.Create()}, {"query", cb.Query()}, {"update", cb.Update()}, {"delete", cb.Delete()}, {"row", cb.Row()}, {"raw", cb.Raw()}} {
			t.Logf("skip=%v %s:\n\t%s", skip, p.name, strings.Join(compiledChain(t, p.proc), "\n\t"))
		}
	}
	_ = gorm.ErrInvalidDB
}
