package signals

import (
	"context"
	"time"
)

// The instrumented send: when a send is muted, measured, traced or
// observed, begin fills a sendState and each receiver runs through call,
// which counts statistics, records trace steps and notifies observers.
// Nothing here is reached while every flag of flags.go is clear.

// sendState is the instrumentation of one send. It lives in the frame of
// the slow path, and is kept small: what only traces and observers need is
// allocated, once per send, for them.
type sendState struct {
	stats bool
	// timed is set when every call is timed (tracing or observers);
	// statistics alone time one call in SetLatencySampling.
	timed bool
	// tr and step locate the send's step in the trace it records into;
	// tr is nil when the send is not traced.
	tr   *Trace
	step int
	// x is nil unless the send is traced or observed.
	x *tracked
}

// tracked is the part of the instrumentation of a send that only traced
// or observed sends have.
type tracked struct {
	// info describes the send to traces and observers.
	info SendInfo
	obs  []Observer
	// octx holds the context each observer's SendStart returned, for its
	// SendEnd.
	octx  []context.Context
	start time.Time
}

// active reports whether begin found anything to instrument.
func (st *sendState) active() bool {
	return st.stats || st.x != nil
}

// observers returns the observers the send notifies.
func (st *sendState) observers() []Observer {
	if st.x == nil {
		return nil
	}
	return st.x.obs
}

// begin starts the instrumentation of a send of n receivers from sender
// into st, given f, the flags of the signal and the global ones. ok is
// false when ctx mutes the signal: nothing must be called. When ok is true
// but st is not active (the signal was only muted in another context, or
// is traced in another one), the caller runs its plain loop.
func (c *core) begin(ctx context.Context, st *sendState, sender any, kind SendKind, n int, f uint32) (_ context.Context, ok bool) {
	if f&flagMuted != 0 && c.mutedIn(ctx) {
		if f&flagTrace != 0 {
			if sc := scopeOf(ctx); sc != nil {
				id := sc.tr.open(sc.step, Step{Kind: StepSend, Name: c.displayName(), Signal: c.displayName(),
					Sender: senderString(sender), Detail: kind.String()}, time.Now())
				sc.tr.close(id, 0, OutcomeMuted, nil)
			}
		}
		return ctx, false
	}
	st.stats = f&flagStats != 0
	st.step = -1
	var start time.Time
	if f&flagTrace != 0 {
		if sc := scopeOf(ctx); sc != nil {
			start = time.Now()
			name := c.displayName()
			st.step = sc.tr.open(sc.step, Step{Kind: StepSend, Name: name, Signal: name,
				Sender: senderString(sender), Detail: kind.String()}, start)
			if st.step >= 0 {
				st.tr = sc.tr
			}
		}
	}
	var obs []Observer
	if f&flagObserve != 0 {
		if p := observers.Load(); p != nil {
			obs = *p
		}
	}
	if st.tr == nil && obs == nil {
		return ctx, true
	}
	st.timed = true
	st.x = &tracked{info: SendInfo{Signal: c.displayName(), Sender: sender, Kind: kind, Receivers: n},
		obs: obs, start: start}
	if obs != nil {
		if ctx == nil {
			ctx = context.Background()
		}
		st.x.octx = make([]context.Context, len(obs))
		for i, o := range obs {
			ctx = o.SendStart(ctx, &st.x.info)
			st.x.octx[i] = ctx
		}
		if st.tr == nil {
			st.x.start = time.Now()
		}
	}
	return ctx, true
}

// end finishes the instrumentation of the send.
func (st *sendState) end(o Outcome, err error) {
	if st.timed {
		st.endTimed(o, err)
	}
}

// endTimed is end for a send that is traced or observed.
func (st *sendState) endTimed(o Outcome, err error) {
	x := st.x
	d := time.Since(x.start)
	if st.tr != nil {
		st.tr.close(st.step, d, o, err)
	}
	for i := len(x.obs) - 1; i >= 0; i-- {
		x.obs[i].SendEnd(x.octx[i], &x.info, EndInfo{Outcome: o, Err: err, Duration: d})
	}
}

// call runs receiver e with the instrumentation of st and returns the
// context it was given and its error. With robust, a panic is recovered into a
// *PanicError; without, it is recorded and propagates untouched (with its
// original stack), as on the fast path.
func call[T any](st *sendState, ctx context.Context, e *entry[T], ev T, robust bool) (context.Context, error) {
	timed := st.timed
	var rs *recvStats
	if st.stats {
		rs = e.recvStats()
		if (rs.calls.Add(1)-1)&latencyMask.Load() == 0 {
			timed = true
		}
	}
	return instrumentedCall(st, ctx, e, ev, robust, rs, timed)
}

// instrumentedCall is call once the call is counted: rs is the receiver's
// statistics (nil when they are off) and timed tells whether to time it.
func instrumentedCall[T any](st *sendState, ctx context.Context, e *entry[T], ev T, robust bool, rs *recvStats, timed bool) (rctx context.Context, err error) {
	var t0 time.Time
	if timed {
		t0 = time.Now()
	}
	rctx, step := ctx, -1
	if st.tr != nil {
		step = st.tr.open(st.step, Step{Kind: StepReceiver, Name: e.info.Name, Signal: st.x.info.Signal,
			Sender: senderString(st.x.info.Sender), Mode: e.info.Mode, Location: e.info.Location()}, t0)
		if step >= 0 {
			rctx = context.WithValue(rctx, traceKey{}, &traceScope{tr: st.tr, step: step})
		}
	}
	// Each observer's ReceiverEnd gets the context its ReceiverStart
	// returned; the receiver gets the last one.
	var buf [2]context.Context
	octx := buf[:0]
	for _, o := range st.observers() {
		rctx = o.ReceiverStart(rctx, &st.x.info, &e.info)
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
	return rctx, err
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
	for i := len(octx) - 1; i >= 0; i-- {
		st.x.obs[i].ReceiverEnd(octx[i], &st.x.info, info, EndInfo{Outcome: o, Err: err, Duration: d})
	}
}

// skip records a receiver an async send did not start.
func (st *sendState) skip(info *ReceiverInfo, err error) {
	if st.tr != nil {
		id := st.tr.open(st.step, Step{Kind: StepReceiver, Name: info.Name, Signal: st.x.info.Signal,
			Sender: senderString(st.x.info.Sender), Mode: info.Mode, Location: info.Location()}, time.Now())
		st.tr.close(id, 0, OutcomeSkipped, err)
	}
}
