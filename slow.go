package signals

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// sendSlow is Send's slow path.
//
//go:noinline
func (s *Signal[T]) sendSlow(ctx context.Context, sender any, l *list[T], ev T) (err error) {
	if f := s.c.flags.Load() | globalFlags.Load(); f&^(flagMuted|flagStats) == 0 {
		// Muting and statistics only: no per-send state.
		if f&flagMuted != 0 && s.c.mutedIn(ctx) {
			return nil
		}
		if f&flagStats != 0 {
			if i, err := sendStats(ctx, l, ev); err != nil {
				return &ReceiverError{Signal: s.Name(), Receiver: l.entries[i].info, Err: err}
			}
			return nil
		}
		for i, fn := range l.fns {
			if err := fn(ctx, ev); err != nil {
				return &ReceiverError{Signal: s.Name(), Receiver: l.entries[i].info, Err: err}
			}
		}
		return nil
	}
	ctx, st, ok := s.c.begin(ctx, sender, KindSend, len(l.fns))
	if !ok {
		return nil
	}
	if st == nil {
		for i, fn := range l.fns {
			if err := fn(ctx, ev); err != nil {
				return &ReceiverError{Signal: s.Name(), Receiver: l.entries[i].info, Err: err}
			}
		}
		return nil
	}
	done := false
	defer func() {
		if !done {
			st.end(OutcomePanic, nil)
		}
	}()
	for _, e := range l.entries {
		if rerr, _ := call(st, ctx, e, ev, false); rerr != nil {
			err = &ReceiverError{Signal: s.Name(), Receiver: e.info, Err: rerr}
			break
		}
	}
	done = true
	st.end(outcomeOf(err), err)
	return err
}

// robustSlow is SendRobust's slow path.
//
//go:noinline
func (s *Signal[T]) robustSlow(ctx context.Context, sender any, l *list[T], ev T) error {
	var errs []error
	if f := s.c.flags.Load() | globalFlags.Load(); f&^(flagMuted|flagStats) == 0 {
		if f&flagMuted != 0 && s.c.mutedIn(ctx) {
			return nil
		}
		for i := 0; i < len(l.fns); {
			if f&flagStats != 0 {
				i = s.robustStats(ctx, l, ev, i, &errs)
			} else {
				i = s.robustRun(ctx, l, ev, i, &errs)
			}
		}
		return errors.Join(errs...)
	}
	ctx, st, ok := s.c.begin(ctx, sender, KindRobust, len(l.fns))
	if !ok {
		return nil
	}
	if st == nil {
		for i := 0; i < len(l.fns); {
			i = s.robustRun(ctx, l, ev, i, &errs)
		}
	} else {
		for _, e := range l.entries {
			if err, rctx := call(st, ctx, e, ev, true); err != nil {
				errs = append(errs, s.fail(rctx, e, err))
			}
		}
	}
	err := errors.Join(errs...)
	if st != nil {
		st.end(outcomeOf(err), err)
	}
	return err
}

func outcomeOf(err error) Outcome {
	if err != nil {
		return OutcomeError
	}
	return OutcomeOK
}

// asyncSlow is SendAsync's slow path.
//
//go:noinline
func (s *Signal[T]) asyncSlow(ctx context.Context, sender any, l *list[T], ev T, opts []AsyncOption) ([]Result, error) {
	ctx, st, ok := s.c.begin(ctx, sender, KindAsync, len(l.fns))
	if !ok {
		return nil, nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n := len(l.fns)
	results := make([]Result, n)
	rctxs := make([]context.Context, n) // each receiver's context, for its failure's log
	var next atomic.Int64
	runPool(asyncWorkers(n, opts), func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			e := l.entries[i]
			rctxs[i] = ctx
			if ctx.Err() != nil {
				results[i] = Result{Receiver: e.info, Err: context.Cause(ctx)}
				if st != nil {
					st.skip(&e.info, results[i].Err)
				}
				continue
			}
			var err error
			if st == nil {
				err = callRecover(e.fn, ctx, ev)
			} else {
				err, rctxs[i] = call(st, ctx, e, ev, true)
			}
			results[i] = Result{Receiver: e.info, Called: true, Err: err}
		}
	})
	var errs []error
	var skipped error
	for i := range results {
		switch r := &results[i]; {
		case !r.Called:
			skipped = r.Err
		case r.Err != nil:
			errs = append(errs, s.fail(rctxs[i], l.entries[i], r.Err))
		}
	}
	if skipped != nil {
		errs = append(errs, skipped)
	}
	err := errors.Join(errs...)
	if st != nil {
		st.end(outcomeOf(err), err)
	}
	return results, err
}

// sendStats calls the receivers of l in order, counting statistics, until
// one fails; it returns that one's index and error. A panic is counted and
// goes on: one deferred check per send, not per call, keeps the cost per
// call to one atomic addition.
func sendStats[T any](ctx context.Context, l *list[T], ev T) (failed int, err error) {
	i, done := 0, false
	defer func() {
		if !done {
			l.entries[i].recvStats().panics.Add(1)
		}
	}()
	mask := latencyMask.Load()
	for ; i < len(l.entries); i++ {
		if err = statsCall(l.entries[i], ctx, ev, mask); err != nil {
			done = true
			return i, err
		}
	}
	done = true
	return -1, nil
}

// robustStats is robustRun counting statistics.
func (s *Signal[T]) robustStats(ctx context.Context, l *list[T], ev T, i int, errs *[]error) (next int) {
	defer func() {
		if v := recover(); v != nil {
			e := l.entries[i]
			e.recvStats().panics.Add(1)
			*errs = append(*errs, s.fail(ctx, e, newPanicError(v)))
			next = i + 1
		}
	}()
	mask := latencyMask.Load()
	for ; i < len(l.entries); i++ {
		if err := statsCall(l.entries[i], ctx, ev, mask); err != nil {
			*errs = append(*errs, s.fail(ctx, l.entries[i], err))
		}
	}
	return i
}

// statsCall counts one call of e and times it when its number falls on the
// sampling mask. Panics are counted by the caller.
func statsCall[T any](e *entry[T], ctx context.Context, ev T, mask uint64) error {
	st := e.stats.Load()
	if st == nil {
		st = e.recvStats()
	}
	if (st.calls.Add(1)-1)&mask == 0 {
		return timedCall(st, e.fn, ctx, ev)
	}
	err := e.fn(ctx, ev)
	if err != nil {
		st.errors.Add(1)
	}
	return err
}

// timedCall is the sampled call of statsCall, kept out of line.
//
//go:noinline
func timedCall[T any](st *recvStats, fn func(context.Context, T) error, ctx context.Context, ev T) error {
	t0 := time.Now()
	err := fn(ctx, ev)
	st.time(time.Since(t0))
	if err != nil {
		st.errors.Add(1)
	}
	return err
}
