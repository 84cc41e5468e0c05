package signalsgorm_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
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
func openOutbox(t *testing.T, dialect string, cfg *gorm.Config, receivers []string, opts ...signalsgorm.Option) (*gorm.DB, *signalsgorm.Outbox) {
	t.Helper()
	if cfg == nil {
		cfg = dbtest.Config()
	}
	db := openConfig(t, dialect, cfg, opts...)
	if err := db.AutoMigrate(&Account{}, &Tally{}); err != nil {
		t.Fatal(err)
	}
	ob, err := signalsgorm.NewOutbox(db, signalsgorm.OutboxConfig{Receivers: receivers, MaxAttempts: 3,
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
type sink[M any] struct {
	mu  sync.Mutex
	evs []outbox.Event[M]
}

func (s *sink[M]) receive(_ context.Context, ev outbox.Event[M]) error {
	s.mu.Lock()
	s.evs = append(s.evs, ev)
	s.mu.Unlock()
	return nil
}

func (s *sink[M]) all() []outbox.Event[M] {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]outbox.Event[M](nil), s.evs...)
}

func durable[M any](t *testing.T, h *signalsgorm.DurableHandle, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Disconnect() })
}

func runOnce(t *testing.T, ob *signalsgorm.Outbox) int {
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
	if err := db.Table(signalsgorm.OutboxTable).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
