package signals

import (
	"context"
	"time"
)

// The instrumented send: when a send is traced or observed (slow.go takes
// care of muting and statistics alone), begin sets up a sendState and each
// receiver runs through call, which counts statistics, records trace steps
// and notifies observers. Nothing here is reached while every flag is
// clear.

// sendState is the instrumentation of one send.
type sendState struct {
	info  SendInfo
	stats bool
	// timed is set when every call is timed (tracing or observers);
	// statistics alone time one call in SetLatencySampling.
	timed bool
	// tr and step locate the send's step in the trace it records into;
	// tr is nil when the send is not traced.
	tr   *Trace
	step int
	obs  []Observer
	// octx holds the context each observer's SendStart returned, for its
	// SendEnd.
	octx  []context.Context
	start time.Time
}

// begin starts the instrumentation of a send of n receivers from sender.
// ok is false when ctx mutes the signal: nothing must be called. st is nil
// when nothing is instrumented (the signal was only muted elsewhere): the
// caller then runs its plain loop.
func (c *core) begin(ctx context.Context, sender any, kind SendKind, n int) (_ context.Context, st *sendState, ok bool) {
	f := c.flags.Load() | globalFlags.Load()
	if f&flagMuted != 0 && c.mutedIn(ctx) {
		if f&flagTrace != 0 {
			if sc := scopeOf(ctx); sc != nil {
				id := sc.tr.open(sc.step, Step{Kind: StepSend, Name: c.displayName(), Signal: c.displayName(),
					Sender: senderString(sender), Detail: kind.String()}, time.Now())
				sc.tr.close(id, 0, OutcomeMuted, nil)
			}
		}
		return ctx, nil, false
	}
	info := SendInfo{Signal: c.displayName(), Sender: sender, Kind: kind, Receivers: n}
	var tr *Trace
	step := -1
	var start time.Time
	if f&flagTrace != 0 {
		if sc := scopeOf(ctx); sc != nil {
			start = time.Now()
			step = sc.tr.open(sc.step, Step{Kind: StepSend, Name: info.Signal, Signal: info.Signal,
				Sender: senderString(sender), Detail: kind.String()}, start)
			if step >= 0 {
				tr = sc.tr
			}
		}
	}
	var obs []Observer
	if f&flagObserve != 0 {
		if p := observers.Load(); p != nil {
			obs = *p
		}
	}
	stats := f&flagStats != 0
	if !stats && tr == nil && obs == nil {
		return ctx, nil, true // muted elsewhere, or traced in another context
	}
	st = &sendState{info: info, stats: stats, tr: tr, step: step, obs: obs, start: start, timed: tr != nil}
	if obs != nil {
		if ctx == nil {
			ctx = context.Background()
		}
		st.octx = make([]context.Context, len(obs))
		for i, o := range obs {
			ctx = o.SendStart(ctx, &st.info)
			st.octx[i] = ctx
		}
		if !st.timed {
			st.start = time.Now()
			st.timed = true
		}
	}
	return ctx, st, true
}

// end finishes the instrumentation of the send.
func (st *sendState) end(o Outcome, err error) {
	if !st.timed {
		return
	}
	d := time.Since(st.start)
	if st.tr != nil {
		st.tr.close(st.step, d, o, err)
	}
	for i := len(st.obs) - 1; i >= 0; i-- {
		st.obs[i].SendEnd(st.octx[i], &st.info, EndInfo{Outcome: o, Err: err, Duration: d})
	}
}

// call runs receiver e with the instrumentation of st and returns its error
// and the context it was given. With robust, a panic is recovered into a
// *PanicError; without, it is recorded and propagates untouched (with its
// original stack), as on the fast path.
func call[T any](st *sendState, ctx context.Context, e *entry[T], ev T, robust bool) (err error, rctx context.Context) {
	timed := st.timed
	var rs *recvStats
	if st.stats {
		rs = e.recvStats()
		if (rs.calls.Add(1)-1)&latencyMask.Load() == 0 {
			timed = true
		}
	}
	var t0 time.Time
	if timed {
		t0 = time.Now()
	}
	rctx, step := ctx, -1
	if st.tr != nil {
		step = st.tr.open(st.step, Step{Kind: StepReceiver, Name: e.info.Name, Signal: st.info.Signal,
			Sender: senderString(st.info.Sender), Mode: e.info.Mode, Location: e.info.Location()}, t0)
		if step >= 0 {
			rctx = context.WithValue(rctx, traceKey{}, &traceScope{tr: st.tr, step: step})
		}
	}
	// Each observer's ReceiverEnd gets the context its ReceiverStart
	// returned; the receiver gets the last one.
	var buf [2]context.Context
	octx := buf[:0]
	for _, o := range st.obs {
		rctx = o.ReceiverStart(rctx, &st.info, &e.info)
		octx = append(octx, rctx)
	}
	done := false
	defer func() {
		if done {
			return
		}
		var v any
		if robust {
			v = recover()
		}
		var perr error
		if v != nil {
			perr = newPanicError(v)
			err = perr
		}
		st.finish(octx, &e.info, rs, step, t0, timed, OutcomePanic, perr)
	}()
	err = e.fn(rctx, ev)
	done = true
	o := OutcomeOK
	if err != nil {
		o = OutcomeError
	}
	st.finish(octx, &e.info, rs, step, t0, timed, o, err)
	return err, rctx
}

// finish records the end of one receiver call.
func (st *sendState) finish(octx []context.Context, info *ReceiverInfo, rs *recvStats, step int, t0 time.Time, timed bool, o Outcome, err error) {
	var d time.Duration
	if timed {
		d = time.Since(t0)
	}
	if rs != nil {
		rs.record(o, d, timed && o != OutcomePanic)
	}
	if step >= 0 {
		st.tr.close(step, d, o, err)
	}
	for i := len(st.obs) - 1; i >= 0; i-- {
		st.obs[i].ReceiverEnd(octx[i], &st.info, info, EndInfo{Outcome: o, Err: err, Duration: d})
	}
}

// skip records a receiver an async send did not start.
func (st *sendState) skip(info *ReceiverInfo, err error) {
	if st.tr != nil {
		id := st.tr.open(st.step, Step{Kind: StepReceiver, Name: info.Name, Signal: st.info.Signal,
			Sender: senderString(st.info.Sender), Mode: info.Mode, Location: info.Location()}, time.Now())
		st.tr.close(id, 0, OutcomeSkipped, err)
	}
}
