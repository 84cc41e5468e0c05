package signals

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// An AsyncOption configures [Signal.SendAsync].
type AsyncOption func(*asyncConfig)

type asyncConfig struct {
	limit int
}

// MaxConcurrency bounds the number of receivers [Signal.SendAsync] runs at
// the same time (the calling goroutine counts as one). n <= 0 means no bound:
// every receiver gets its own goroutine.
func MaxConcurrency(n int) AsyncOption {
	return func(c *asyncConfig) { c.limit = n }
}

// SendAsync calls the receivers of sender concurrently and waits for them.
// It returns one [Result] per receiver in call order (not completion order),
// and an [errors.Join] of the failures, each a *[ReceiverError]. Like
// [Signal.SendRobust], every receiver runs whatever the others do, panics
// are recovered into *[PanicError] and failures are logged.
//
// Receivers are started in call order. Once ctx is done, receivers not yet
// started are not called: their Result has Called false and the context's
// error, and the returned error includes it. Running receivers see the
// cancelled context and are waited for.
//
// Unlike Django's asend, there is no split between sync and async receivers:
// any receiver can be sent to either way.
func (s *Signal[T]) SendAsync(ctx context.Context, sender any, ev T, opts ...AsyncOption) ([]Result, error) {
	if s == nil {
		return nil, ErrNilSignal
	}
	p := s.snap.Load()
	if p == nil {
		return nil, nil
	}
	l := p.lookup(sender)
	if l == nil {
		return nil, nil
	}
	n := len(l.fns)
	workers := asyncWorkers(n, opts)
	if s.c.slow() {
		if results, done, err := s.asyncSlow(ctx, sender, l, ev, workers); done {
			return results, err
		}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	results := make([]Result, n)
	var next atomic.Int64
	runPool(workers, func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			if ctx.Err() != nil {
				results[i] = Result{Receiver: l.entries[i].info, Err: context.Cause(ctx)}
				continue
			}
			err := callRecover(l.fns[i], ctx, ev)
			results[i] = Result{Receiver: l.entries[i].info, Called: true, Err: err}
		}
	})
	return results, s.asyncErr(ctx, l, results, nil)
}

// asyncErr logs the failures of an async send, in call order, and joins
// them, followed by the context's error if some receivers were not
// started. rctxs holds the context each failed receiver was given; nil
// means ctx for all.
func (s *Signal[T]) asyncErr(ctx context.Context, l *list[T], results []Result, rctxs []context.Context) error {
	var errs []error
	var skipped error
	for i := range results {
		switch r := &results[i]; {
		case !r.Called:
			skipped = r.Err
		case r.Err != nil:
			rctx := ctx
			if rctxs != nil {
				rctx = rctxs[i]
			}
			errs = append(errs, s.fail(rctx, l.entries[i], r.Err))
		}
	}
	if skipped != nil {
		errs = append(errs, skipped)
	}
	return errors.Join(errs...)
}

// asyncWorkers returns the number of goroutines (the caller's included)
// that run n receivers under opts.
func asyncWorkers(n int, opts []AsyncOption) int {
	var cfg asyncConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.limit > 0 && cfg.limit < n {
		return cfg.limit
	}
	return n
}

// runPool runs work in the calling goroutine and workers-1 others, and
// waits for them.
func runPool(workers int, work func()) {
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for range workers - 1 {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}
