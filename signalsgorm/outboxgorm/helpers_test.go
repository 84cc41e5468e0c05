package outboxgorm_test

import (
	"context"
	"testing"
	"time"

	"github.com/gosignals/signals/signalsgorm/internal/durabletest"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// Account is the model whose saves the tests' durable receivers get.
type Account struct {
	ID       uint
	Email    string
	Password string `signals:"-"`
	Visits   int
}

// Tally is what idempotent receivers write.
type Tally struct {
	ID   uint
	Name string `gorm:"uniqueIndex;size:64"`
	N    int
}

// each runs f on every database.
func each(t *testing.T, f func(t *testing.T, dialect string)) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) { f(t, d) })
	}
}

// open returns a database of dialect with the plugin installed and the
// test models migrated.
func open(t *testing.T, dialect string) *gorm.DB {
	t.Helper()
	db := dbtest.Open(t, dialect)
	if err := db.Use(signalsgorm.New()); err != nil {
		t.Fatal(err)
	}
	if err := db.AutoMigrate(&Account{}, &Tally{}); err != nil {
		t.Fatal(err)
	}
	return db
}

// openOutbox opens a database with the plugin and the outbox tables, and
// an outbox delivering to the given receivers only, with fast retries.
func openOutbox(t *testing.T, dialect string, receivers []string) (*gorm.DB, *outboxgorm.Outbox) {
	t.Helper()
	db := open(t, dialect)
	ob, err := outboxgorm.New(db, outboxgorm.Config{Receivers: receivers, MaxAttempts: 3,
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, ob
}

// sink collects the events a durable receiver got.
type sink[M any] = durabletest.Sink[M]

// durable disconnects h when the test ends.
func durable(t testing.TB, h *signalsgorm.DurableHandle) { durabletest.Disconnect(t, h) }

func runOnce(t *testing.T, ob *outboxgorm.Outbox) int {
	t.Helper()
	n, err := ob.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func outboxRows(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Table(outboxgorm.Table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func statsOf(t *testing.T, ob *outboxgorm.Outbox) map[string]outbox.Stats {
	t.Helper()
	st, err := ob.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]outbox.Stats{}
	for _, s := range st {
		out[s.Receiver] = s
	}
	return out
}

// waitFor polls cond until it holds or d has passed, and reports whether
// it held.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// waitProgress polls count until it reaches target, and fails the test
// when count has not grown for idle: waits end on a lack of progress, not
// on a deadline, so that a slow machine does not fail them.
func waitProgress(t testing.TB, idle time.Duration, what string, count func() int64, target int64) {
	t.Helper()
	last, since := count(), time.Now()
	for last < target {
		time.Sleep(20 * time.Millisecond)
		n := count()
		if n > last {
			last, since = n, time.Now()
			continue
		}
		if time.Since(since) > idle {
			t.Fatalf("waiting for %s: no progress for %v (at %d of %d)", what, idle, last, target)
		}
	}
}
