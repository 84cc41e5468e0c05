package signalsgorm_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// openDelete opens a database with the deletion models migrated through
// the plugin (so it knows every relation) and a log of the statements.
func openDelete(t testing.TB, dialect string, opts ...signalsgorm.Option) (*gorm.DB, *stmtLog) {
	t.Helper()
	db := dbtest.Open(t, dialect, dbtest.Use(signalsgorm.New(opts...)))
	if err := signalsgorm.AutoMigrate(db, deleteModels...); err != nil {
		t.Fatal(err)
	}
	return db, watch(t, db)
}

// stmtLog records the statements GORM runs, from a callback at the end of
// every processor: the SQL with its placeholders, without rendering the
// arguments (which a logger's Explain does, slowly for 65 535 of them).
type stmtLog struct {
	mu    sync.Mutex
	stmts []string
	args  [][]any
}

func watch(t testing.TB, db *gorm.DB) *stmtLog {
	l := &stmtLog{}
	rec := func(db *gorm.DB) {
		if db.Statement.SQL.Len() == 0 || db.DryRun { // DryRun: a subquery being built
			return
		}
		l.mu.Lock()
		l.stmts = append(l.stmts, db.Statement.SQL.String())
		l.args = append(l.args, db.Statement.Vars)
		l.mu.Unlock()
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("*").Register("test:log", rec),
		cb.Query().After("*").Register("test:log", rec),
		cb.Update().After("*").Register("test:log", rec),
		cb.Delete().After("*").Register("test:log", rec),
		cb.Row().After("*").Register("test:log", rec),
		cb.Raw().After("*").Register("test:log", rec),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func (l *stmtLog) reset() {
	l.mu.Lock()
	l.stmts, l.args = nil, nil
	l.mu.Unlock()
}

// take returns the statements run since the last call, with their
// arguments written in place of the placeholders when there are few.
func (l *stmtLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.stmts))
	for i, s := range l.stmts {
		out[i] = s
		if len(l.args[i]) <= 16 {
			out[i] = inline(s, l.args[i])
		}
	}
	l.stmts, l.args = nil, nil
	return out
}

// inline writes args in place of the placeholders ? and $n.
func inline(s string, args []any) string {
	lit := func(a any) string {
		switch v := a.(type) {
		case string:
			return "'" + v + "'"
		case time.Time:
			return "'" + v.Format(time.RFC3339) + "'"
		}
		return fmt.Sprint(a)
	}
	for i := len(args); i >= 1; i-- {
		s = strings.ReplaceAll(s, fmt.Sprintf("$%d", i), lit(args[i-1]))
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r == '?' && n < len(args) {
			b.WriteString(lit(args[n]))
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// recordDeletes records pre_delete and post_delete, of every model, until
// the test ends, as "signal Label id=N".
func recordDeletes(t testing.TB) recording[modelsignals.DeleteEvent] {
	t.Helper()
	return record(t, []*signals.Signal[modelsignals.DeleteEvent]{modelsignals.PreDelete, modelsignals.PostDelete},
		func(signal string, ev modelsignals.DeleteEvent) string {
			return fmt.Sprintf("%s %s id=%v", signal, ev.Model.Label, instanceID(ev.Instance))
		})
}

func instanceID(inst any) any {
	v := reflect.ValueOf(inst)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if f := v.FieldByName("ID"); f.IsValid() {
		return f.Interface()
	}
	return "?"
}

// counts returns the number of rows of each model, as "Model=n".
func counts(t testing.TB, db *gorm.DB, models ...any) string {
	t.Helper()
	var parts []string
	for _, m := range models {
		var n int64
		if err := db.Unscoped().Model(m).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d", reflect.TypeOf(m).Elem().Name(), n))
	}
	return strings.Join(parts, " ")
}

func wantCounts(t testing.TB, db *gorm.DB, want string, models ...any) {
	t.Helper()
	if got := counts(t, db, models...); got != want {
		t.Fatalf("rows: %s, want %s", got, want)
	}
}
