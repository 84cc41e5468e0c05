package signalsgorm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gosignals/signals/signalsgorm/internal/durabletest"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// Account is the model of the durable receiver tests; its password never
// reaches the outbox.
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

// openOutbox opens a database with the plugin (and opts), the durable test
// models and the outbox tables, and an embedded outbox delivering to the
// given receivers only, with fast retries.
func openOutbox(t *testing.T, dialect string, cfg *gorm.Config, receivers []string, opts ...signalsgorm.Option) (*gorm.DB, *outboxgorm.Outbox) {
	t.Helper()
	if cfg == nil {
		cfg = dbtest.Config()
	}
	db := openConfig(t, dialect, cfg, opts...)
	if err := db.AutoMigrate(&Account{}, &Tally{}); err != nil {
		t.Fatal(err)
	}
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

// panicOf calls f and returns the error it panicked with, nil if it did
// not panic.
func panicOf(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			e, ok := v.(error)
			if !ok {
				e = fmt.Errorf("%v", v)
			}
			err = e
		}
	}()
	f()
	return nil
}

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
