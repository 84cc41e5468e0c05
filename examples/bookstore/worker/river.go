package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsriver"
	"github.com/gosignals/signals/signalsriver/signalsriverui"
)

// riverEngine runs the durable receivers as River jobs in the bookstore's
// PostgreSQL database: signalsriver inserts each event's job in the
// transaction of the model change, and a River client in this process
// works them. Its pages are River UI.
type riverEngine struct {
	eng    *signalsriver.Engine
	log    *slog.Logger
	worker *signalsriver.Worker
	done   chan struct{} // closed when the worker has stopped
}

func newRiverEngine(cfg Config, receivers []string) (engine, error) {
	eng, err := signalsriver.New(signalsriver.Config{
		Dialect:   signalsriver.Postgres,
		Receivers: receivers,
		River:     &river.Config{Logger: cfg.Log},
	})
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	return &riverEngine{eng: eng, log: cfg.Log}, nil
}

func (e *riverEngine) Store() outbox.Store { return e.eng }

// Start runs River's migrations with River's migrator, then the River
// client that works the receivers' jobs.
func (e *riverEngine) Start(ctx context.Context, db *gorm.DB, errs chan<- error) error {
	if err := e.eng.Migrate(ctx, db); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	w, err := e.eng.NewWorker(db)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	e.worker, e.done = w, make(chan struct{})
	go func() {
		defer close(e.done)
		errs <- w.Run(ctx)
	}()
	return nil
}

// Pages serves River UI at /riverui/: the receivers' jobs, their queues,
// retries and errors.
func (e *riverEngine) Pages(ctx context.Context) (map[string]http.Handler, error) {
	h, err := signalsriverui.Handler(ctx, e.worker.Client(), signalsriverui.Options{Prefix: "/riverui", Logger: e.log})
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	return map[string]http.Handler{"/riverui/": h}, nil
}

// Close waits for the River client to stop, once ctx is done.
func (e *riverEngine) Close() error {
	if e.done != nil {
		<-e.done
	}
	return nil
}
