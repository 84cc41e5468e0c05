package signals

import (
	"context"
	"errors"
	"sync/atomic"
)

// The slow path. A send takes it when a flag of flags.go is set: some
// context has muted the signal, statistics are on, a trace is recording or
// an observer is installed. The four kinds of send share it: begin decides
// whether the send is muted and what to instrument, and sendRun.work calls
// the receivers through call. When there is nothing to do for this send
// (the signal was muted in another context, or is traced in another one),
// the slow path hands the send back to the caller's plain loop.

// sendRun is one instrumented send.
type sendRun[T any] struct {
	s    *Signal[T]
	ctx  context.Context
	st   sendState
	l    *list[T]
	ev   T
	kind SendKind
	// workers is the number of goroutines running work (1 but for
	// SendAsync); next is the index of the next receiver to call.
	workers int
	next    int64
	// results, when not nil, gets one Result per receiver.
	results []Result
	// rctxs, set for SendAsync only, keeps the context of each failed
	// receiver, whose failure is logged after the pool, in call order.
	rctxs []context.Context
	// err is Send's error; errs the failures of a robust send, logged.
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
	if s.c.flags.Load()|globalFlags.Load() == flagMuted {
		return s.c.mutedIn(ctx), nil // muting alone: nothing to set up
	}
	var r sendRun[T]
	ctx, ok := s.c.begin(ctx, &r.st, sender, kind, len(l.fns))
	if !ok || !r.st.active() {
		return !ok, nil
	}
	r.s, r.ctx, r.l, r.ev, r.kind, r.workers = s, ctx, l, ev, kind, 1
	if results != nil {
		r.results = make([]Result, len(l.fns))
	}
	r.work()
	if results != nil {
		*results = r.results
	}
	return true, r.end()
}

// asyncSlow is the slow path of SendAsync, like sendSlow.
//
//go:noinline
func (s *Signal[T]) asyncSlow(ctx context.Context, sender any, l *list[T], ev T, workers int) (results []Result, done bool, err error) {
	if s.c.flags.Load()|globalFlags.Load() == flagMuted {
		return nil, s.c.mutedIn(ctx), nil // muting alone: nothing to set up
	}
	var st sendState
	ctx, ok := s.c.begin(ctx, &st, sender, KindAsync, len(l.fns))
	if !ok || !st.active() {
		return nil, !ok, nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	n := len(l.fns)
	r := &sendRun[T]{s: s, ctx: ctx, st: st, l: l, ev: ev, kind: KindAsync, workers: workers,
		results: make([]Result, n), rctxs: make([]context.Context, n)}
	runPool(workers, r.work)
	return r.results, true, r.end()
}

// work calls the receivers until none is left: the one loop of every slow
// send. Sequential sends run it in the calling goroutine; SendAsync runs it
// in every goroutine of its pool, each taking the next receiver in call
// order.
func (r *sendRun[T]) work() {
	for r.workFrom() {
	}
}

// workFrom is work's loop. Each receiver runs through call, but for the
// most frequent call while statistics alone are on, one that is counted
// and not timed: it is made in the loop, as by a plain loop, with one
// deferred check for the whole loop instead of one per call. When such a
// call panics in a robust send, the panic is recovered and workFrom
// returns true, to be called again for the receivers after it. A panic in
// Send ends the send's instrumentation and goes on.
func (r *sendRun[T]) workFrom() (again bool) {
	var i int
	var counted *entry[T] // the receiver of the counted call under way
	finished := false
	defer func() {
		if finished {
			return
		}
		if counted != nil {
			counted.recvStats().panics.Add(1)
		}
		switch {
		case r.kind == KindSend:
			r.st.end(OutcomePanic, nil)
		case counted != nil:
			r.record(i, counted, newPanicError(recover()), r.ctx)
			again = true
		}
	}()
	robust := r.kind != KindSend
	counting := r.st.stats && r.st.tr == nil && r.st.obs == nil
	mask := latencyMask.Load()
	for {
		if i = r.claim(); i >= len(r.l.entries) {
			finished = true
			return false
		}
		e := r.l.entries[i]
		if r.kind == KindAsync && r.ctx.Err() != nil {
			r.results[i] = Result{Receiver: e.info, Err: context.Cause(r.ctx)}
			r.st.skip(&e.info, r.results[i].Err)
			continue
		}
		var err error
		rctx := r.ctx
		if !counting {
			rctx, err = call(&r.st, r.ctx, e, r.ev, robust)
		} else if rs := e.stats.Load(); rs == nil || (rs.calls.Add(1)-1)&mask == 0 {
			if rs == nil { // first call: count it below
				rs = e.recvStats()
				rs.calls.Add(1)
			}
			rctx, err = instrumentedCall(&r.st, r.ctx, e, r.ev, robust, rs, true)
		} else {
			counted = e
			err = e.fn(r.ctx, r.ev)
			counted = nil
			if err != nil {
				rs.errors.Add(1)
			}
		}
		if (err != nil || r.results != nil) && !r.record(i, e, err, rctx) {
			finished = true
			return false
		}
	}
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

// claim returns the index of the next receiver to call.
func (r *sendRun[T]) claim() int {
	if r.workers == 1 {
		r.next++
		return int(r.next - 1)
	}
	return int(atomic.AddInt64(&r.next, 1) - 1)
}

// end returns the send's error and ends its instrumentation.
func (r *sendRun[T]) end() error {
	err := r.err
	switch {
	case r.kind == KindAsync:
		err = r.s.asyncErr(r.ctx, r.l, r.results, r.rctxs)
	case r.kind != KindSend:
		err = errors.Join(r.errs...)
	}
	r.st.end(outcomeOf(err), err)
	return err
}

func outcomeOf(err error) Outcome {
	if err != nil {
		return OutcomeError
	}
	return OutcomeOK
}
