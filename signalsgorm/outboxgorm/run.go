package outboxgorm

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errShutdown cancels the handlers still running when Run's shutdown grace
// is over.
var errShutdown = errors.New("outboxgorm: Run stopped and ShutdownTimeout passed: delivery abandoned")

// Run delivers events until ctx is done, with one worker per receiver, and
// purges delivered rows past the retention. It returns nil once ctx is
// done, and [ErrRunning] if it is already running.
//
// When ctx is done, the workers start no new delivery and the handlers
// running get ShutdownTimeout to finish; then their contexts are
// cancelled, their deliveries abandoned (not acknowledged: they are
// delivered again), and Run returns. It returns within ShutdownTimeout
// plus about a second for the last statements (marking the deliveries
// made, giving the leases up), even when a handler ignores its context. A
// worker that abandoned a handler keeps its lease until it expires, so
// that no other process delivers that receiver's events while the handler
// may still run.
func (o *Outbox) Run(ctx context.Context) error {
	o.mu.Lock()
	if o.running {
		o.mu.Unlock()
		return ErrRunning
	}
	o.running = true
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		o.running = false
		o.mu.Unlock()
	}()
	stop := o.plugin.NotifyOutbox(o.wake)
	defer stop()
	hard, stopHard := o.hardContext(ctx)
	defer stopHard()

	names := o.receivers()
	wakes := make([]chan struct{}, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wakes[i] = make(chan struct{}, 1)
		wg.Go(func() { o.work(ctx, hard, name, wakes[i]) })
	}
	purge := time.NewTicker(time.Minute)
	defer purge.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-o.wake:
			for _, w := range wakes {
				notify(w)
			}
		case <-purge.C:
			o.purgeRetained(ctx)
		}
	}
}

// hardContext returns the parent of the handlers' contexts: it outlives
// ctx by ShutdownTimeout. stop releases it.
func (o *Outbox) hardContext(ctx context.Context) (hard context.Context, stop func()) {
	hard, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	var mu sync.Mutex
	var timer *time.Timer
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		timer = time.AfterFunc(o.cfg.ShutdownTimeout, func() { cancel(errShutdown) })
		mu.Unlock()
	})
	return hard, func() {
		stopAfter()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel(nil)
	}
}

// RunOnce delivers every event pending now, for each receiver in turn,
// and returns how many deliveries succeeded. Failing events are retried
// with backoff until they succeed or go to the dead letters. It is meant
// for tests and for programs that deliver from a cron job. When ctx is
// done it stops as Run does, and returns ctx's error.
func (o *Outbox) RunOnce(ctx context.Context) (int, error) {
	hard, stop := o.hardContext(ctx)
	defer stop()
	total := 0
	for _, name := range o.receivers() {
		s, err := o.startSession(ctx, hard, name)
		if err != nil {
			return total, err
		}
		if s == nil {
			continue // another worker holds it
		}
		n, err := s.drain()
		total += n
		if err = errors.Join(err, s.end(true)); err != nil {
			return total, err
		}
	}
	return total, nil
}

// drain delivers the session's pending rows, batch after batch, until
// none is left or it must stop; it then returns why (Run's context done,
// the lease lost).
func (s *session) drain() (int, error) {
	total := 0
	for s.stopped() == nil {
		n, more, err := s.batch()
		total += n
		if err != nil {
			return total, err
		}
		if !more {
			break
		}
	}
	return total, s.stopped()
}

func (o *Outbox) receivers() []string {
	if len(o.cfg.Receivers) > 0 {
		return o.cfg.Receivers
	}
	var names []string
	for _, r := range o.cfg.Registry.Receivers() {
		names = append(names, r.Name)
	}
	return names
}

// work is the loop of one receiver's worker. Once it holds the receiver's
// lease it keeps it, renewed by the heartbeat, until Run stops or another
// worker takes it: a commit wakes it to deliver at once, with no statement
// but the reading of a batch and the marking of the deliveries.
func (o *Outbox) work(ctx, hard context.Context, name string, wake <-chan struct{}) {
	var s *session
	defer func() {
		if s != nil {
			o.logEnd(ctx, name, s.end(true))
		}
	}()
	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-idle.C:
		}
		if s != nil && s.live.Err() != nil { // the lease is lost
			o.logEnd(ctx, name, errors.Join(context.Cause(s.live), s.end(false)))
			s = nil
		}
		if s == nil {
			var err error
			if s, err = o.startSession(ctx, hard, name); err != nil && ctx.Err() == nil {
				o.cfg.Logger.Error("outboxgorm: outbox lease", "receiver", name, "error", err)
			}
		}
		if s != nil {
			if _, err := s.drain(); err != nil && s.live.Err() == nil {
				o.logEnd(ctx, name, err)
			}
		}
		idle.Reset(o.cfg.PollInterval)
	}
}

// logEnd logs why a worker stopped delivering, unless Run is stopping.
func (o *Outbox) logEnd(ctx context.Context, name string, err error) {
	switch {
	case err == nil, ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errShutdown)):
	case errors.Is(err, errLeaseLost), errors.Is(err, errLeaseUnsure):
		o.cfg.Logger.Warn("outboxgorm: outbox worker lost its lease", "receiver", name, "error", err)
	default:
		o.cfg.Logger.Error("outboxgorm: outbox worker", "receiver", name, "error", err)
	}
}

func (o *Outbox) purgeRetained(ctx context.Context) {
	if o.cfg.Retention <= 0 {
		return
	}
	if _, err := o.Purge(ctx, o.cfg.Retention); err != nil && ctx.Err() == nil {
		o.cfg.Logger.Error("outboxgorm: purging the outbox", "error", err)
	}
}

// notify sends on c without blocking.
func notify(c chan<- struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
