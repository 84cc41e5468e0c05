package outboxgorm

import (
	"context"
	"sync"
	"time"
)

// Run delivers events until ctx is cancelled, with one worker per
// receiver, and purges delivered rows past the retention. It returns nil
// when ctx is cancelled, and [ErrRunning] if it is already running.
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

	names := o.receivers()
	wakes := make([]chan struct{}, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wakes[i] = make(chan struct{}, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.work(ctx, name, wakes[i])
		}()
	}
	purge := time.NewTicker(time.Minute)
	defer purge.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			o.releaseAll(names)
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

// RunOnce delivers every event pending now, for each receiver in turn,
// and returns how many deliveries succeeded. Failing events are retried
// with backoff until they succeed or go to the dead letters. It is meant
// for tests and for programs that deliver from a cron job.
func (o *Outbox) RunOnce(ctx context.Context) (int, error) {
	total := 0
	for _, name := range o.receivers() {
		n, err := o.drain(ctx, name)
		total += n
		if err != nil {
			return total, err
		}
		o.release(ctx, name)
	}
	return total, nil
}

// drain delivers the pending rows of receiver name, batch after batch,
// while this process holds its lease.
func (o *Outbox) drain(ctx context.Context, name string) (int, error) {
	total := 0
	for {
		held, err := o.lease(ctx, name)
		if err != nil || !held {
			return total, err
		}
		n, more, err := o.batch(ctx, name)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
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

// work is the loop of one receiver's worker.
func (o *Outbox) work(ctx context.Context, name string, wake <-chan struct{}) {
	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-idle.C:
		}
		o.workOnce(ctx, name)
		idle.Reset(o.cfg.PollInterval)
	}
}

// workOnce delivers batches of receiver name until none is left, the
// lease is lost or ctx is cancelled, and logs the failures.
func (o *Outbox) workOnce(ctx context.Context, name string) {
	for ctx.Err() == nil {
		held, err := o.lease(ctx, name)
		if err != nil || !held {
			if err != nil && ctx.Err() == nil {
				o.cfg.Logger.Error("outboxgorm: outbox lease", "receiver", name, "error", err)
			}
			return
		}
		_, more, err := o.batch(ctx, name)
		if err != nil && ctx.Err() == nil {
			o.cfg.Logger.Error("outboxgorm: outbox worker", "receiver", name, "error", err)
			return
		}
		if !more {
			return
		}
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
