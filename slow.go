package signals

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// The slow path. A send takes it when a flag of flags.go is set: some
// context has muted the signal, statistics are on, a trace is recording or
// an observer is installed. The four kinds of send share it: begin decides
// whether the send is muted and what to instrument (statistics alone need
// nothing), and sendRun.work calls the receivers. When there is nothing
// to do for this send (the signal was muted in another context, or is
// traced in another one), the slow path hands the send back to the
// caller's plain loop.

// sendRun is one instrumented send.
type sendRun[T any] struct {
	s   *Signal[T]
	ctx context.Context
	st  sendState
	l   *list[T]
	ev  T
	// next is the index of the next receiver to call.
	next int64
	kind SendKind
	// counting is set for a sequential send while statistics alone are
	// on: workFrom then makes the calls itself.
	counting bool
	// workers is the number of goroutines running work (1 but for
	// SendAsync).
	workers int32
	// results, when not nil, gets one Result per receiver.
	results []Result
	// rctxs, set for SendAsync only, keeps the context of each failed
	// receiver, whose failure is logged after the pool, in call order.
	rctxs []context.Context
	// err is the send's error; errs the failures of a robust send,
	// logged, joined into err at the end.
	err  error
	errs []error
}

// sendSlow is the slow path of Send and SendRobust (kind KindSend or
// KindRobust) and of SendRobustResults (KindRobust, with results, where it
// stores the results). done is false when the caller must run its plain
// loop. It returns no slice: the fast path of Send keeps a small frame.
//
//go:noinline
func (s *Signal[T]) sendSlow(ctx context.Context, sender any, l *list[T], ev T, kind SendKind, results *[]Result) (done bool, err error) {
	f := s.c.flags.Load() | globalFlags.Load()
	if f == flagMuted {
		return s.c.mutedIn(ctx), nil // muting alone: nothing to set up
	}
	var r sendRun[T]
	if f == flagStats {
		r.st.stats, r.counting = true, true // statistics alone: nothing else to set up
	} else {
		var ok bool
		if ctx, ok = s.c.begin(ctx, &r.st, sender, kind, len(l.fns), f); !ok || !r.st.active() {
			return !ok, nil
		}
		r.counting = r.st.stats && r.st.x == nil
	}
	r.s, r.ctx, r.l, r.ev, r.kind, r.workers = s, ctx, l, ev, kind, 1
	if results != nil {
		r.results = make([]Result, len(l.fns))
		*results = r.results
	}
	r.work()
	if r.errs != nil {
		r.err = errors.Join(r.errs...)
	}
	r.st.end(outcomeOf(r.err), r.err)
	return true, r.err
}

// asyncSlow is the slow path of SendAsync, like sendSlow.
//
//go:noinline
func (s *Signal[T]) asyncSlow(ctx context.Context, sender any, l *list[T], ev T, workers int) (results []Result, done bool, err error) {
	f := s.c.flags.Load() | globalFlags.Load()
	if f == flagMuted {
		return nil, s.c.mutedIn(ctx), nil // muting alone: nothing to set up
	}
	var st sendState
	ctx, ok := s.c.begin(ctx, &st, sender, KindAsync, len(l.fns), f)
	if !ok || !st.active() {
		return nil, !ok, nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n := len(l.fns)
	r := &sendRun[T]{s: s, ctx: ctx, st: st, l: l, ev: ev, kind: KindAsync, workers: int32(workers),
		results: make([]Result, n), rctxs: make([]context.Context, n)}
	runPool(workers, r.work)
	err = s.asyncErr(ctx, l, r.results, r.rctxs)
	r.st.end(outcomeOf(err), err)
	return r.results, true, err
}

// work calls the receivers until none is left: the one loop of every slow
// send. Sequential sends run it in the calling goroutine; SendAsync runs it
// in every goroutine of its pool, each taking the next receiver in call
// order.
func (r *sendRun[T]) work() {
	for !r.workFrom() {
	}
}

// workFrom is work's loop; it returns true when the send is over. Each
// receiver runs through call, but in a sequential send while statistics
// alone are on, the most frequent case: the loop then counts each call
// itself, as a plain loop would call it plus one atomic addition, times
// one in SetLatencySampling through timedCall, and has one deferred check
// for the whole loop instead of one per call. When such a call panics in a
// robust send, the panic is recovered and workFrom returns false, to be
// called again for the receivers after it. A panic in Send ends the send's
// instrumentation and goes on.
func (r *sendRun[T]) workFrom() (done bool) {
	var counted *entry[T] // the receiver of the counted call under way
	defer func() {
		if !done {
			var v any
			if counted != nil && r.kind != KindSend {
				v = recover()
			}
			r.unwind(counted, v)
		}
	}()
	for {
		i := r.claim()
		if i >= len(r.l.entries) {
			return true
		}
		e := r.l.entries[i]
		if r.counting {
			rs := e.stats.Load()
			if rs == nil {
				rs = e.recvStats()
			}
			counted = e
			var err error
			if (rs.calls.Add(1)-1)&latencyMask.Load() == 0 {
				err = timedCall(rs, e.fn, r.ctx, r.ev)
			} else {
				err = e.fn(r.ctx, r.ev)
			}
			counted = nil
			if err != nil {
				rs.errors.Add(1)
			} else if r.results == nil {
				continue
			}
			if !r.record(i, e, err, r.ctx) {
				return true
			}
			continue
		}
		if !r.callOne(i, e) {
			return true
		}
	}
}

// callOne calls receiver i through call and reports whether the send goes
// on.
func (r *sendRun[T]) callOne(i int, e *entry[T]) bool {
	if r.kind == KindAsync && r.ctx.Err() != nil {
		r.results[i] = Result{Receiver: e.info, Err: context.Cause(r.ctx)}
		r.st.skip(&e.info, r.results[i].Err)
		return true
	}
	rctx, err := call(&r.st, r.ctx, e, r.ev, r.kind != KindSend)
	return (err == nil && r.results == nil) || r.record(i, e, err, rctx)
}

// timedCall is a counted call that falls on the sampling of
// SetLatencySampling: it is timed. Kept out of workFrom's loop, which
// counts its panic.
//
//go:noinline
func timedCall[T any](rs *recvStats, fn func(context.Context, T) error, ctx context.Context, ev T) error {
	t0 := time.Now()
	err := fn(ctx, ev)
	rs.time(time.Since(t0))
	return err
}

// unwind is workFrom's deferred check when workFrom did not finish: a
// receiver or a logger panicked. A counted call's panic is counted; Send's
// instrumentation ends; in a robust send, v, the panic of the counted call
// (the last receiver claimed), is recorded, and the send goes on with the
// next receiver.
func (r *sendRun[T]) unwind(e *entry[T], v any) {
	if e != nil {
		e.recvStats().panics.Add(1)
	}
	switch {
	case r.kind == KindSend:
		r.st.end(OutcomePanic, nil)
	case e != nil:
		r.record(int(r.next-1), e, newPanicError(v), r.ctx)
	}
}

// claim returns the index of the next receiver to call.
func (r *sendRun[T]) claim() int {
	if r.workers == 1 {
		r.next++
		return int(r.next - 1)
	}
	return int(atomic.AddInt64(&r.next, 1) - 1)
}

// record records the outcome of receiver i, given rctx, and reports
// whether the send goes on (Send stops at the first error).
func (r *sendRun[T]) record(i int, e *entry[T], err error, rctx context.Context) bool {
	if r.results != nil {
		r.results[i] = Result{Receiver: e.info, Called: true, Err: err}
	}
	switch {
	case err == nil:
	case r.kind == KindSend:
		r.err = &ReceiverError{Signal: r.s.Name(), Receiver: e.info, Err: err}
		return false
	case r.rctxs != nil:
		r.rctxs[i] = rctx // logged after the pool, in call order
	default:
		r.errs = append(r.errs, r.s.fail(rctx, e, err))
	}
	return true
}

func outcomeOf(err error) Outcome {
	if err != nil {
		return OutcomeError
	}
	return OutcomeOK
}
