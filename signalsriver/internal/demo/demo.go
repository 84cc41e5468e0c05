// Package demo is a small application whose durable receivers run as
// River jobs in every state River UI shows: completed, retried, discarded
// after their attempts, cancelled by a permanent failure, running. The
// command signalsriver/cmd/riverdemo serves it with River UI, and the
// screenshot test of package signalsriverui renders it.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	_ "modernc.org/sqlite" // pure-Go SQLite, driver name "sqlite"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsriver"
)

// Customer is the demo's model.
type Customer struct {
	ID    uint
	Email string
	Plan  string
}

// The demo's durable receivers.
const (
	Welcome = "crm.welcome_email"    // completes
	Invoice = "billing.open_invoice" // fails twice, then completes
	Sync    = "crm.sync_partner"     // always fails: discarded after 3 attempts
	Audit   = "audit.record"         // a permanent failure for free plans: cancelled
	Report  = "stats.monthly_report" // slow: running while the page is shown
)

// App is the demo application: a database whose durable receivers' events
// are River jobs, and the worker that works them.
type App struct {
	DB     *gorm.DB
	Engine *signalsriver.Engine
	Worker *signalsriver.Worker
	// Stop disconnects the receivers.
	Stop func()
}

// Open opens the database (PostgreSQL when postgresDSN is not empty, else
// the SQLite file sqlitePath), connects the receivers, runs River's
// migrations and builds the worker.
func Open(ctx context.Context, postgresDSN, sqlitePath string, log *slog.Logger) (*App, error) {
	handles := connect()
	stop := func() {
		for _, h := range handles {
			h.Disconnect()
		}
	}
	eng, err := signalsriver.New(signalsriver.Config{
		MaxAttempts: 3, Backoff: 200 * time.Millisecond, MaxBackoff: time.Second, Timeout: time.Minute,
		River: &river.Config{Logger: log, FetchPollInterval: 200 * time.Millisecond},
	})
	if err != nil {
		stop()
		return nil, err
	}
	var dial gorm.Dialector = sqlite.Dialector{DriverName: "sqlite",
		DSN: "file:" + sqlitePath + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate"}
	if postgresDSN != "" {
		dial = postgres.Open(postgresDSN)
	}
	db, err := gorm.Open(dial, &gorm.Config{Logger: logger.Discard})
	if err == nil {
		err = db.Use(signalsgorm.New(signalsgorm.WithOutbox(eng)))
	}
	if err == nil {
		err = eng.Migrate(ctx, db)
	}
	if err == nil {
		err = db.AutoMigrate(&Customer{})
	}
	if err != nil {
		stop()
		return nil, fmt.Errorf("demo: %w", err)
	}
	w, err := eng.NewWorker(db)
	if err != nil {
		stop()
		return nil, err
	}
	return &App{DB: db, Engine: eng, Worker: w, Stop: stop}, nil
}

func connect() []*signalsgorm.DurableHandle {
	return []*signalsgorm.DurableHandle{
		signalsgorm.DurablePostSave(Welcome, func(ctx context.Context, ev outbox.Event[Customer]) error {
			return pause(ctx, 50*time.Millisecond)
		}),
		signalsgorm.DurablePostSave(Invoice, func(ctx context.Context, ev outbox.Event[Customer]) error {
			if ev.Delivery.Attempt < 3 {
				return fmt.Errorf("billing service unavailable (attempt %d)", ev.Delivery.Attempt)
			}
			return nil
		}),
		signalsgorm.DurablePostSave(Sync, func(ctx context.Context, ev outbox.Event[Customer]) error {
			return fmt.Errorf("partner API: 503 Service Unavailable for %s", ev.Instance.Email)
		}),
		signalsgorm.DurablePostSave(Audit, func(ctx context.Context, ev outbox.Event[Customer]) error {
			if ev.Instance.Plan == "free" {
				return outbox.Permanent(errors.New("audit: free plans are not audited"))
			}
			return nil
		}),
		signalsgorm.DurablePostSave(Report, func(ctx context.Context, ev outbox.Event[Customer]) error {
			return pause(ctx, 10*time.Minute)
		}),
	}
}

func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// Write saves n customers, one transaction each: 5 jobs per customer.
func (a *App) Write(ctx context.Context, n int) error {
	plans := []string{"pro", "free", "team"}
	for i := range n {
		c := Customer{Email: fmt.Sprintf("customer%02d@example.com", i+1), Plan: plans[i%len(plans)]}
		if err := a.DB.WithContext(ctx).Create(&c).Error; err != nil {
			return err
		}
	}
	return nil
}
