// Package signalstest records the events of signals in tests and asserts on
// them, as net/http/httptest does for handlers.
//
// [Record] connects a recorder to a signal for the duration of a test and
// disconnects it in t.Cleanup:
//
//	rec := signalstest.Record(t, modelsignals.PostSave)
//	shop.CreateBook(ctx, "Dune")
//	rec.AssertSentOnce(func(ev modelsignals.SaveEvent) bool { return ev.Created })
//
// [RecordAll] records several signals of one event type in one recorder
// (pre_save and post_save, say). Recorders can share a [Timeline], which
// keeps one line per event, in the order the signals fired, across event
// types; [Describe] chooses the line, so that a test can compare a whole
// sequence at once with [Timeline.AssertNext]. Lines of your own (a
// callback ran) go on the timeline with [Timeline.Add].
package signalstest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gosignals/signals"
)

// Call is one recorded send.
type Call[T any] struct {
	// Signal is the name of the signal that delivered the event.
	Signal string
	// Ctx is the context the event was sent with.
	Ctx context.Context
	// Event is the event received.
	Event T
	// Seq is the position of the call on the recorder's Timeline (or among
	// the recorder's own calls when it has none), starting at 1.
	Seq int
}

// Recorder records every event a signal delivers to it. It is safe for
// concurrent use.
type Recorder[T any] struct {
	tb       testing.TB
	name     string // the signals' names, for messages
	handles  []*signals.Handle
	tl       *Timeline
	describe func(signal string, ev T) string

	mu    sync.Mutex
	calls []Call[T]
	taken int // calls before this index were returned by Take
	err   error
}

// Record connects a recorder to sig and disconnects it when the test ends.
// Like [signals.Signal.Connect], it panics if sig is nil or an option is
// invalid.
func Record[T any](tb testing.TB, sig *signals.Signal[T], opts ...Option) *Recorder[T] {
	tb.Helper()
	return record(tb, []*signals.Signal[T]{sig}, opts)
}

// RecordAll connects one recorder to each of sigs, signals of the same
// event type, and disconnects it when the test ends. Its calls are in the
// order the signals fired, each with the name of its signal. It panics
// like [Record], and when sigs is empty.
func RecordAll[T any](tb testing.TB, sigs []*signals.Signal[T], opts ...Option) *Recorder[T] {
	tb.Helper()
	if len(sigs) == 0 {
		panic(fmt.Errorf("signalstest: RecordAll: %w: no signals; pass the signals to record", signals.ErrNilSignal))
	}
	return record(tb, sigs, opts)
}

func record[T any](tb testing.TB, sigs []*signals.Signal[T], opts []Option) *Recorder[T] {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	r := &Recorder[T]{tb: tb, tl: o.tl}
	if o.describe != nil {
		fn, ok := o.describe.(func(string, T) string)
		if !ok {
			panic(fmt.Errorf("signalstest: Record: %w: Describe takes a func(signal string, ev %v) string for these signals; got %T", signals.ErrInvalidOption, reflect.TypeFor[T](), o.describe))
		}
		r.describe = fn
	}
	tb.Cleanup(r.Stop)
	names := make([]string, len(sigs))
	for i, sig := range sigs {
		names[i] = sig.Name()
		connect := append([]signals.Option{signals.Name("signalstest.Recorder"), signals.CallerSkip(2)}, o.connect...)
		name := names[i]
		r.handles = append(r.handles, sig.ConnectFunc(func(ctx context.Context, ev T) error {
			return r.receive(name, ctx, ev)
		}, connect...))
	}
	r.name = strings.Join(names, ", ")
	return r
}

func (r *Recorder[T]) receive(signal string, ctx context.Context, ev T) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq := len(r.calls) + 1
	if r.tl != nil {
		line := signal
		if r.describe != nil {
			line = r.describe(signal, ev)
		}
		seq = r.tl.add(signal, line)
	}
	r.calls = append(r.calls, Call[T]{Signal: signal, Ctx: ctx, Event: ev, Seq: seq})
	return r.err
}

// Fail makes the recorder return err to the sender from now on (nil to
// stop), to test how code handles a failing receiver.
func (r *Recorder[T]) Fail(err error) {
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

// Stop disconnects the recorder before the test ends.
func (r *Recorder[T]) Stop() {
	for _, h := range r.handles {
		h.Disconnect()
	}
}

// Calls returns a copy of the recorded calls, in order.
func (r *Recorder[T]) Calls() []Call[T] {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call[T](nil), r.calls...)
}

// Events returns the recorded events, in order.
func (r *Recorder[T]) Events() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]T, len(r.calls))
	for i, c := range r.calls {
		out[i] = c.Event
	}
	return out
}

// Take returns the events recorded since the last Take (or Reset), in
// order, and leaves them out of the next Take. It reads a test in steps:
// do something, take what it sent, check it.
func (r *Recorder[T]) Take() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]T, 0, len(r.calls)-r.taken)
	for _, c := range r.calls[r.taken:] {
		out = append(out, c.Event)
	}
	r.taken = len(r.calls)
	return out
}

// Len returns the number of recorded events.
func (r *Recorder[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// Last returns the last recorded event, failing the test if there is none.
func (r *Recorder[T]) Last() T {
	r.tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		r.tb.Fatalf("signalstest: %s: no event recorded", r.name)
	}
	return r.calls[len(r.calls)-1].Event
}

// Reset forgets the recorded events.
func (r *Recorder[T]) Reset() {
	r.mu.Lock()
	r.calls, r.taken = nil, 0
	r.mu.Unlock()
}

func (r *Recorder[T]) matching(match func(T) bool) (n int, events []T) {
	events = r.Events()
	for _, ev := range events {
		if match == nil || match(ev) {
			n++
		}
	}
	return n, events
}

// AssertCount reports whether exactly n events were recorded, failing the
// test (without stopping it) if not.
func (r *Recorder[T]) AssertCount(n int) bool {
	r.tb.Helper()
	if got, events := r.matching(nil); got != n {
		r.tb.Errorf("signalstest: %s: sent %d times, want %d%s", r.name, got, n, list(events))
		return false
	}
	return true
}

// AssertNotSent reports whether no event was recorded.
func (r *Recorder[T]) AssertNotSent() bool {
	r.tb.Helper()
	if got, events := r.matching(nil); got != 0 {
		r.tb.Errorf("signalstest: %s: sent %d times, want never%s", r.name, got, list(events))
		return false
	}
	return true
}

// AssertSent reports whether at least one recorded event satisfies match
// (nil matches any event).
func (r *Recorder[T]) AssertSent(match func(T) bool) bool {
	r.tb.Helper()
	if got, events := r.matching(match); got == 0 {
		r.tb.Errorf("signalstest: %s: no matching event among %d sent%s", r.name, len(events), list(events))
		return false
	}
	return true
}

// AssertSentOnce reports whether exactly one recorded event satisfies match
// (nil matches any event).
func (r *Recorder[T]) AssertSentOnce(match func(T) bool) bool {
	r.tb.Helper()
	if got, events := r.matching(match); got != 1 {
		r.tb.Errorf("signalstest: %s: %d matching events among %d sent, want exactly 1%s", r.name, got, len(events), list(events))
		return false
	}
	return true
}

func list[T any](events []T) string {
	if len(events) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(":")
	for i, ev := range events {
		if i == 10 {
			fmt.Fprintf(&b, "\n\t... and %d more", len(events)-10)
			break
		}
		fmt.Fprintf(&b, "\n\t%d: %+v", i+1, ev)
	}
	return b.String()
}
