package signals

import (
	"context"
	"time"
)

// The kinds of step the dispatcher records. Other packages record their own
// kinds with [StartStep]; the ones of this project are listed here so that
// tools can tell them apart.
const (
	StepSend     = "send"     // a send: Name is the signal
	StepReceiver = "receiver" // a receiver call: Name is the receiver
	StepSQL      = "sql"      // an SQL statement (signalsgorm): Name is the SQL
	StepOnCommit = "on_commit"
	StepEnqueue  = "enqueue" // a durable delivery written to an outbox
	StepWorker   = "worker"  // a durable delivery run by a worker
)

// Step is one entry of a [Trace].
type Step struct {
	// ID is the step's index in the trace; Parent is the index of the step
	// it happened in (-1 at the top level), Depth its nesting level.
	ID, Parent, Depth int
	// Kind is StepSend, StepReceiver or the kind given to [StartStep].
	Kind string
	// Name is the signal of a send, the receiver of a receiver call, the
	// name given to StartStep otherwise.
	Name string
	// Signal and Sender are those of the send (for sends and receivers).
	Signal, Sender string
	// Mode and Location are the receiver's delivery mode and where it was
	// connected.
	Mode, Location string
	// Detail is free text: the kind of send, rows affected, ...
	Detail string
	// Start is the time from the start of the trace, Duration the step's
	// own duration (0 for muted sends and skipped receivers).
	Start, Duration time.Duration
	Outcome         Outcome
	// Err is the error's text when the step failed.
	Err string
}

// Summary returns the step on one line: kind, name, details and outcome,
// without times.
func (s Step) Summary() string {
	out := s.Kind + " " + s.Name
	if s.Sender != "" && s.Kind == StepSend {
		out += " sender=" + s.Sender
	}
	if s.Mode != "" && s.Mode != "inline" {
		out += " mode=" + s.Mode
	}
	if s.Location != "" {
		out += " (" + s.Location + ")"
	}
	if s.Detail != "" && s.Kind != StepSend {
		out += " [" + s.Detail + "]"
	}
	out += " " + s.Outcome.String()
	if s.Err != "" {
		out += ": " + s.Err
	}
	return out
}

// Outcome is how a send, a receiver call or a trace step ended.
type Outcome uint8

// The outcomes.
const (
	OutcomeOK      Outcome = iota // returned nil
	OutcomeError                  // returned an error
	OutcomePanic                  // panicked
	OutcomeSkipped                // not started: the context was done (SendAsync)
	OutcomeMuted                  // muted by the context: no receiver called
	OutcomeRunning                // not finished when the trace was read or stopped
)

var outcomeNames = [...]string{"ok", "error", "panic", "skipped", "muted", "running"}

// String returns the outcome's name: "ok", "error", "panic", "skipped",
// "muted" or "running".
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "Outcome(?)"
}

// MarshalText encodes the outcome as its name, for JSON.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// scopeOf returns the trace scope ctx records into, or nil.
func scopeOf(ctx context.Context) *traceScope {
	if ctx == nil {
		return nil
	}
	sc, _ := ctx.Value(traceKey{}).(*traceScope)
	return sc
}

// TraceFrom returns the trace ctx records into, or nil. It costs one atomic
// load while no trace is recording.
func TraceFrom(ctx context.Context) *Trace {
	if globalFlags.Load()&flagTrace == 0 {
		return nil
	}
	if sc := scopeOf(ctx); sc != nil {
		return sc.tr
	}
	return nil
}

// WithTraceOf returns a copy of ctx that records into the trace of from, at
// the place from is at (its steps nest where from's would). It carries a
// trace across a hand-off that does not keep the context: a worker
// running a job enqueued by a traced operation, a hook run after commit.
// If from records no trace, ctx is returned.
func WithTraceOf(ctx, from context.Context) context.Context {
	sc := scopeOf(from)
	if sc == nil {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, sc)
}

// TraceStep is an open step of a trace, made by [StartStep]. Its methods do
// nothing on a nil *TraceStep, which StartStep returns when there is no
// trace, so callers need not check.
type TraceStep struct {
	tr    *Trace
	id    int
	start time.Time
}

// StartStep opens a step of kind (one of the Step constants, or a kind of
// your own) named name in the trace ctx records into, nested where ctx is,
// and returns a context whose sends and steps nest under the new step.
// End the step with [TraceStep.End]. When ctx records no trace, StartStep
// returns ctx and nil, after one atomic load.
//
// This is how packages built on signals add their part to a trace: the
// GORM plugin records each SQL statement, on-commit hooks and outbox
// deliveries record theirs.
func StartStep(ctx context.Context, kind, name string) (context.Context, *TraceStep) {
	if globalFlags.Load()&flagTrace == 0 {
		return ctx, nil
	}
	sc := scopeOf(ctx)
	if sc == nil {
		return ctx, nil
	}
	now := time.Now()
	id := sc.tr.open(sc.step, Step{Kind: kind, Name: name}, now)
	if id < 0 {
		return ctx, nil
	}
	return context.WithValue(ctx, traceKey{}, &traceScope{tr: sc.tr, step: id}), &TraceStep{tr: sc.tr, id: id, start: now}
}

// RecordStep records a finished step of kind named name, which started at
// start and ends now, in the trace ctx records into (nested where ctx is).
// detail is free text ("rows=1"); a non-nil err marks the step failed. It is
// StartStep and End in one call, for steps whose name is known only at the
// end (the SQL a statement ran). Without a trace it costs one atomic load.
func RecordStep(ctx context.Context, kind, name, detail string, start time.Time, err error) {
	if globalFlags.Load()&flagTrace == 0 {
		return
	}
	sc := scopeOf(ctx)
	if sc == nil {
		return
	}
	id := sc.tr.open(sc.step, Step{Kind: kind, Name: name, Detail: detail}, start)
	sc.tr.close(id, time.Since(start), outcomeOf(err), err)
}

// SetStepDetail sets the free-text detail of the step ctx records into: in
// a receiver, the receiver's own call; with the context [StartStep]
// returned, that step. A receiver can so say in the trace what it was sent
// or what it decided ("post_add pk_set=[1 2]", "skipped: not a book").
// Without a trace it costs one atomic load; build an expensive detail only
// when [TraceFrom] is not nil.
func SetStepDetail(ctx context.Context, detail string) {
	if globalFlags.Load()&flagTrace == 0 {
		return
	}
	if sc := scopeOf(ctx); sc != nil {
		sc.tr.update(sc.step, func(st *Step) { st.Detail = detail })
	}
}

// SetName replaces the step's name (for a name known only at the end, such
// as the SQL a statement ran).
func (s *TraceStep) SetName(name string) {
	if s != nil {
		s.tr.update(s.id, func(st *Step) { st.Name = name })
	}
}

// SetDetail sets the step's free-text detail.
func (s *TraceStep) SetDetail(detail string) {
	if s != nil {
		s.tr.update(s.id, func(st *Step) { st.Detail = detail })
	}
}

// End closes the step with its duration and outcome: [OutcomeOK] for a
// nil err, [OutcomeError] otherwise. Calls after the first do nothing.
func (s *TraceStep) End(err error) {
	if s == nil {
		return
	}
	d := time.Since(s.start)
	s.tr.update(s.id, func(st *Step) {
		if st.Outcome != OutcomeRunning {
			return
		}
		st.Duration, st.Outcome = d, outcomeOf(err)
		if err != nil {
			st.Err = err.Error()
		}
	})
}

// senderString renders a sender for traces.
func senderString(sender any) string { return SenderName(sender) }
