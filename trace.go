package signals

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A Trace records what one operation set off, in firing order: each send,
// each receiver call, and the steps other packages add with [StartStep]
// (the SQL statements of signalsgorm, on-commit hooks, outbox deliveries),
// with their durations and outcomes. Steps nest: a receiver's steps are the
// children of its send, and what a receiver does with its context (another
// send, a query) is a child of the receiver.
//
// A trace is scoped by its context: only work done with the context
// [StartTrace] returned, or one derived from it, is recorded, so concurrent
// operations and parallel tests do not mix. While at least one trace is
// recording, every send takes the slow path to look for one in its
// context; call [Trace.Stop] when the operation is over.
type Trace struct {
	id    uint64
	name  string
	start time.Time

	mu      sync.Mutex
	steps   []Step
	dropped int
	stopped bool
	dur     time.Duration
}

// MaxTraceSteps bounds the steps one trace keeps; later steps are not
// recorded, and counted in [Trace.Dropped] (a send not recorded counts
// once, for itself and its receivers).
const MaxTraceSteps = 10000

var traceIDs atomic.Uint64

// activeTraces counts the traces recording; flagsMu guards it.
var activeTraces int

type traceKey struct{}

// traceScope is what a context carries: the trace, and the step whose
// children the context's work becomes (-1 for the top level).
type traceScope struct {
	tr   *Trace
	step int
}

// StartTrace starts recording a trace named name (for display) of what is
// done with the returned context, and returns the context and the trace.
// Stop the trace when the operation is over; stopped traces are kept in a
// short history ([Traces]) for the /debug/signals page.
//
// A trace started inside a traced context starts afresh: the new context
// records into the new trace only. While any trace is running, every send
// takes the slower, instrumented path: stop traces when done.
func StartTrace(ctx context.Context, name string) (context.Context, *Trace) {
	if ctx == nil {
		ctx = context.Background()
	}
	tr := &Trace{id: traceIDs.Add(1), name: name, start: time.Now()}
	flagsMu.Lock()
	activeTraces++
	setGlobalFlag(flagTrace, true)
	flagsMu.Unlock()
	return context.WithValue(ctx, traceKey{}, &traceScope{tr: tr, step: -1}), tr
}

// Stop ends the recording: later sends and steps are not recorded, and
// steps still open are kept with [OutcomeRunning]. The trace joins the
// history of [Traces]. Stop is safe to call twice.
func (t *Trace) Stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	t.stopped = true
	t.dur = time.Since(t.start)
	t.mu.Unlock()
	flagsMu.Lock()
	activeTraces--
	setGlobalFlag(flagTrace, activeTraces > 0)
	flagsMu.Unlock()
	keep(t)
}

// ID returns the trace's number, unique in the process.
func (t *Trace) ID() uint64 { return t.id }

// Name returns the name given to [StartTrace], or to [Trace.SetName].
func (t *Trace) Name() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.name
}

// SetName renames the trace, for a name known only at the end of the
// operation: an HTTP request's route is known once a router has matched
// it. It does nothing after [Trace.Stop].
func (t *Trace) SetName(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.stopped {
		t.name = name
	}
}

// Started returns when the trace started.
func (t *Trace) Started() time.Time { return t.start }

// Duration returns the time from start to [Trace.Stop], or to now while
// the trace is recording.
func (t *Trace) Duration() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return t.dur
	}
	return time.Since(t.start)
}

// Stopped reports whether [Trace.Stop] was called.
func (t *Trace) Stopped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stopped
}

// Steps returns a copy of the steps recorded so far, in the order they
// started (the firing order).
func (t *Trace) Steps() []Step {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Step(nil), t.steps...)
}

// Dropped returns the number of steps not recorded because the trace
// already held [MaxTraceSteps] (see there).
func (t *Trace) Dropped() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dropped
}

// String renders the trace as an indented timeline, one step per line:
// start offset, duration, kind, name, and what went wrong.
func (t *Trace) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "trace %d %q (%v)\n", t.id, t.Name(), t.Duration().Round(time.Microsecond))
	for _, s := range t.Steps() {
		fmt.Fprintf(&b, "%10v %10v %s%s\n", s.Start.Round(time.Microsecond), s.Duration.Round(time.Microsecond),
			strings.Repeat("  ", s.Depth), s.Summary())
	}
	if n := t.Dropped(); n > 0 {
		fmt.Fprintf(&b, "(%d steps dropped)\n", n)
	}
	return b.String()
}

// open records the start of a step under parent at time at and returns its
// index, or -1 when the trace is stopped or full.
func (t *Trace) open(parent int, s Step, at time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return -1
	}
	if len(t.steps) >= MaxTraceSteps {
		t.dropped++
		return -1
	}
	s.ID, s.Parent = len(t.steps), parent
	if parent >= 0 && parent < len(t.steps) {
		s.Depth = t.steps[parent].Depth + 1
	}
	s.Start = at.Sub(t.start)
	s.Outcome = OutcomeRunning
	t.steps = append(t.steps, s)
	return s.ID
}

// close records the end of step id.
func (t *Trace) close(id int, d time.Duration, o Outcome, err error) {
	if id < 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped || id >= len(t.steps) {
		return
	}
	s := &t.steps[id]
	s.Duration, s.Outcome = d, o
	if err != nil {
		s.Err = err.Error()
	}
}

// update changes step id under the trace's lock.
func (t *Trace) update(id int, f func(*Step)) {
	if id < 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.stopped && id < len(t.steps) {
		f(&t.steps[id])
	}
}

// history keeps the last stopped traces, oldest first.
var history = struct {
	mu   sync.Mutex
	max  int
	list []*Trace
}{max: 20}

func keep(t *Trace) {
	history.mu.Lock()
	defer history.mu.Unlock()
	if history.max <= 0 {
		return
	}
	history.list = append(history.list, t)
	if n := len(history.list) - history.max; n > 0 {
		history.list = append(history.list[:0:0], history.list[n:]...)
	}
}

// Traces returns the stopped traces kept in the history, newest first.
func Traces() []*Trace {
	history.mu.Lock()
	defer history.mu.Unlock()
	out := make([]*Trace, len(history.list))
	for i, t := range history.list {
		out[len(out)-1-i] = t
	}
	return out
}

// KeepTraces sets how many stopped traces [Traces] keeps (20 by default);
// 0 keeps none. Older traces are dropped first.
func KeepTraces(n int) {
	history.mu.Lock()
	defer history.mu.Unlock()
	history.max = max(n, 0)
	if k := len(history.list) - history.max; k > 0 {
		history.list = append(history.list[:0:0], history.list[k:]...)
	}
}
