package signalsriver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
)

// Worker works the jobs of durable receivers: a River client with one
// worker (a job kind) and one queue per receiver. Run it with
// [Worker.Run]; [Worker.Client] is the River client, for the rest of
// River's API (JobRetry, JobCancel, QueuePause, Subscribe, River UI).
type Worker struct {
	client  *river.Client[*sql.Tx]
	kinds   []string
	closeFn func()
	logger  *slog.Logger
}

// NewWorker returns the worker of db's database, which must have River's
// tables ([Engine.Migrate]). It works the receivers of Config.Receivers
// (default: every receiver registered now), each under the job kind
// [Kind](name) in the queue [Queue](name) with Config.MaxWorkers workers.
// On PostgreSQL it listens for River's notifications on a connection of
// its own (a pgx pool on db's DSN), so that a commit wakes it at once.
func (e *Engine) NewWorker(db *gorm.DB) (*Worker, error) {
	rc := river.Config{}
	if e.cfg.River != nil {
		rc = *e.cfg.River
	}
	if rc.Workers == nil {
		rc.Workers = river.NewWorkers()
	}
	rc.Queues = maps.Clone(rc.Queues)
	if rc.Queues == nil {
		rc.Queues = map[string]river.QueueConfig{}
	}
	rc.Middleware = append(slices.Clone(rc.Middleware), e.middleware...)
	kinds, err := e.addWorkers(&rc)
	if err != nil {
		return nil, err
	}
	d, closeFn, err := driver(db, true)
	if err != nil {
		return nil, err
	}
	client, err := river.NewClient(d, &rc)
	if err != nil {
		closeFn()
		return nil, fmt.Errorf("signalsriver: %w", err)
	}
	return &Worker{client: client, kinds: kinds, closeFn: closeFn, logger: e.logger()}, nil
}

// addWorkers registers a worker and a queue per receiver in rc and
// returns their kinds.
func (e *Engine) addWorkers(rc *river.Config) ([]string, error) {
	names := e.cfg.Receivers
	if len(names) == 0 {
		for _, r := range e.cfg.Registry.Receivers() {
			names = append(names, r.Name)
		}
	}
	queues := map[string]string{}
	var kinds []string
	for _, name := range names {
		if _, ok := e.cfg.Registry.Lookup(name); !ok {
			return nil, fmt.Errorf("%w: %w: %q", ErrReceiver, outbox.ErrUnknownReceiver, name)
		}
		kind, queue := Kind(name), Queue(name)
		if len(kind) > maxKindLen {
			return nil, fmt.Errorf("%w: %q is too long for a River job kind (%d characters at most); choose a shorter name", ErrReceiver, name, maxKindLen-len(KindPrefix))
		}
		if other, ok := queues[queue]; ok {
			return nil, fmt.Errorf("%w: %q and %q both map to River queue %q; rename one", ErrReceiver, other, name, queue)
		}
		queues[queue] = name
		if err := addWorker(rc.Workers, kind, &receiverWorker{name: name, engine: e}); err != nil {
			return nil, err
		}
		rc.Queues[queue] = river.QueueConfig{MaxWorkers: e.cfg.MaxWorkers}
		kinds = append(kinds, kind)
	}
	return kinds, nil
}

// addWorker registers w under kind. River registers a worker under the
// kind its arguments' type names; the receivers share one type, whose
// value carries the kind, which River's AddWorkerArgs takes.
func addWorker(workers *river.Workers, kind string, w river.Worker[jobArgs]) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: registering River worker %s: %v", ErrReceiver, kind, v)
		}
	}()
	river.AddWorkerArgs(workers, jobArgs{kind: kind}, w)
	return nil
}

// Client returns the River client.
func (w *Worker) Client() *river.Client[*sql.Tx] { return w.client }

// Kinds returns the job kinds the worker works, one per receiver.
func (w *Worker) Kinds() []string { return append([]string(nil), w.kinds...) }

// Run starts the River client and works jobs until ctx is done. River
// then stops hard: the handlers' contexts are cancelled, and Run returns
// when they have returned (an interrupted job is made available again).
// For a graceful stop, call Client().Stop first, or set the River
// configuration's SoftStopTimeout.
//
// A database too busy to answer River's start in time (River's timeouts,
// SQLite's write lock held past its busy timeout) delays the start: Run
// logs it and tries again, waiting one second, then up to 30. Any other
// failure to start is returned.
func (w *Worker) Run(ctx context.Context) error {
	defer w.closeFn()
	for wait := time.Second; ; wait = min(2*wait, 30*time.Second) {
		err := w.client.Start(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		if !busy(err) {
			return fmt.Errorf("signalsriver: starting River: %w", err)
		}
		w.logger.WarnContext(ctx, "signalsriver: the database is busy; starting River again", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
	<-w.client.Stopped()
	return nil
}

// busy reports whether err is the database's failure to answer in time.
func busy(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "database is locked")
}

// receiverWorker is the River worker of one durable receiver.
type receiverWorker struct {
	river.WorkerDefaults[jobArgs]
	name   string
	engine *Engine
}

// Timeout is Config.Timeout.
func (w *receiverWorker) Timeout(*river.Job[jobArgs]) time.Duration { return w.engine.cfg.Timeout }

// NextRetry waits Backoff after the first failed attempt, doubled after
// each further one up to MaxBackoff.
func (w *receiverWorker) NextRetry(job *river.Job[jobArgs]) time.Time {
	return time.Now().Add(backoff(w.engine.cfg.Backoff, w.engine.cfg.MaxBackoff, job.Attempt))
}

func backoff(first, maxWait time.Duration, attempt int) time.Duration {
	d := first
	for i := 1; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	return min(d, maxWait)
}

// Work delivers the job's event to the receiver. A permanent failure
// (outbox.Permanent, an envelope that does not decode) cancels the job:
// River does not retry it.
func (w *receiverWorker) Work(ctx context.Context, job *river.Job[jobArgs]) error {
	env, err := outbox.Decode(job.Args.Event)
	if err != nil {
		return river.JobCancel(fmt.Errorf("signalsriver: job %d of %s: %w", job.ID, w.name, err))
	}
	d := &outbox.Delivery{Envelope: env, Receiver: w.name, Attempt: job.Attempt}
	if err := w.engine.cfg.Registry.Deliver(ctx, d); err != nil {
		if outbox.IsPermanent(err) {
			return river.JobCancel(err)
		}
		return err
	}
	return nil
}
