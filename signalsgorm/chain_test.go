package signalsgorm

import (
	"fmt"
	"reflect"
	"slices"
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

// wantChains are the compiled chains, GORM's callbacks and the plugin's,
// in a transaction; SkipDefaultTransaction leaves out GORM's transaction
// callbacks.
var wantChains = map[string][]string{
	"create": {
		"signals:join",
		"signals:durable_begin",
		"gorm:begin_transaction",
		"gorm:before_create",
		"signals:pre_save",
		"gorm:save_before_associations",
		"signals:pre_add",
		"signals:sql_start",
		"gorm:create",
		"signals:sql_end",
		"signals:m2m_owner",
		"gorm:save_after_associations",
		"signals:m2m_owner_end",
		"gorm:after_create",
		"signals:post_save",
		"signals:post_add",
		"gorm:commit_or_rollback_transaction",
		"signals:durable_commit",
	},
	"query": {
		"signals:join",
		"signals:pre_init",
		"signals:sql_start",
		"gorm:query",
		"signals:sql_end",
		"signals:post_init",
		"gorm:preload",
		"gorm:after_query",
	},
	"update": {
		"signals:join",
		"signals:durable_begin",
		"gorm:begin_transaction",
		"gorm:setup_reflect_value",
		"gorm:before_update",
		"signals:pre_save",
		"gorm:save_before_associations",
		"signals:pre_update",
		"signals:sql_start",
		"gorm:update",
		"signals:sql_end",
		"signals:post_update",
		"signals:m2m_owner",
		"gorm:save_after_associations",
		"signals:m2m_owner_end",
		"gorm:after_update",
		"signals:post_save",
		"gorm:commit_or_rollback_transaction",
		"signals:durable_commit",
	},
	"delete": {
		"signals:join",
		"signals:durable_begin",
		"gorm:begin_transaction",
		"gorm:before_delete",
		"gorm:delete_before_associations",
		"signals:pre_remove",
		"signals:sql_start",
		"gorm:delete (replaced)",
		"signals:sql_end",
		"gorm:after_delete",
		"signals:post_remove",
		"gorm:commit_or_rollback_transaction",
		"signals:durable_commit",
	},
	"row": {"signals:join", "signals:sql_start", "gorm:row", "signals:sql_end"},
	"raw": {"signals:join", "signals:sql_start", "gorm:raw", "signals:savepoint", "signals:sql_end"},
}

// The chains GORM compiled are the ones chain lists: a GORM release that
// moves, adds or removes a callback around the plugin's fails here.
func TestChain(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		for _, skip := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/SkipDefaultTransaction=%v", dialect, skip), func(t *testing.T) {
				cfg := dbtest.Config()
				cfg.SkipDefaultTransaction = skip
				db := dbtest.OpenConfig(t, dialect, cfg)
				p := New()
				if err := db.Use(p); err != nil {
					t.Fatal(err)
				}
				for _, ph := range p.chain() {
					got := compiledChain(t, processorValue(db, ph.proc))
					want := wantChains[ph.proc]
					if skip {
						want = slices.DeleteFunc(slices.Clone(want), func(n string) bool {
							return n == "gorm:begin_transaction" || n == "gorm:commit_or_rollback_transaction"
						})
					}
					checkChain(t, ph.proc+" chain", got, want)
					checkHooks(t, ph, got)
				}
			})
		}
	}
}

// checkHooks checks chain, the names of a compiled chain, against the
// table ph: the plugin's hooks are there in table order, each between its
// anchors, with nothing but other hooks of the plugin between them.
func checkHooks(t *testing.T, ph processorHooks, chain []string) {
	t.Helper()
	var ours, want []string
	for _, n := range chain {
		if plugin(n) {
			ours = append(ours, n)
		}
	}
	for _, h := range ph.hooks {
		want = append(want, hookName(h))
	}
	checkChain(t, ph.proc+" hooks", ours, want)
	for k, h := range ph.hooks {
		i := slices.Index(chain, hookName(h))
		if i < 0 {
			continue // reported above
		}
		// Hooks anchored before "*" lead the table and the chain.
		if h.before == "*" && i != k || h.after == "*" && i != len(chain)-1 {
			t.Errorf("%s: %s is not at the end of the chain its anchor * says", ph.proc, h.name)
		}
		if !anchored(chain[:i], h.after, true) {
			t.Errorf("%s: %s does not follow %s", ph.proc, h.name, h.after)
		}
		if !anchored(chain[i+1:], h.before, false) {
			t.Errorf("%s: %s does not precede %s", ph.proc, h.name, h.before)
		}
	}
}

// anchored reports whether the callback anchor is the first of side that is
// not one of the plugin's hooks, looking from the hook (so backwards when
// side comes before it). An anchor that is "", "*" or not in the chain
// (GORM's transaction callbacks under SkipDefaultTransaction) is not
// checked.
func anchored(side []string, anchor string, before bool) bool {
	if anchor == "" || anchor == "*" || !slices.Contains(side, anchor) {
		return true
	}
	for k := range side {
		n := side[k]
		if before {
			n = side[len(side)-1-k]
		}
		if !plugin(n) {
			return n == anchor
		}
	}
	return false
}

// plugin reports whether the named callback is the plugin's.
func plugin(name string) bool {
	return strings.HasPrefix(name, "signals:") || strings.HasSuffix(name, " (replaced)")
}

func hookName(h hook) string {
	if h.replace != nil {
		return h.name + " (replaced)"
	}
	return h.name
}

func processorValue(db *gorm.DB, proc string) any {
	cb := db.Callback()
	return map[string]any{"create": cb.Create(), "query": cb.Query(), "update": cb.Update(), "delete": cb.Delete(), "row": cb.Row(), "raw": cb.Raw()}[proc]
}

func checkChain(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n\t%s\nwant:\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
