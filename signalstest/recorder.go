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
// Recorders of several signals can share a [Timeline] to assert the order in
// which the signals fired.
package signalstest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gosignals/signals"
)

// Call is one recorded send.
type Call[T any] struct {
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
	tb     testing.TB
	sig    *signals.Signal[T]
	handle *signals.Handle
	tl     *Timeline

	mu    sync.Mutex
	calls []Call[T]
	err   error
}

// An Option configures [Record].
type Option func(*options)

type options struct {
	connect []signals.Option
	tl      *Timeline
}

// WithSender records only the events sent by sender.
func WithSender(sender any) Option {
	return func(o *options) { o.connect = append(o.connect, signals.Sender(sender)) }
}

// WithConnectOptions passes options (priority, name, ...) to the connection.
func WithConnectOptions(opts ...signals.Option) Option {
	return func(o *options) { o.connect = append(o.connect, opts...) }
}

// OnTimeline also records each call on tl, to assert the order of events
// across signals.
func OnTimeline(tl *Timeline) Option {
	return func(o *options) { o.tl = tl }
}

// Record connects a recorder to sig and disconnects it when the test ends.
// It fails the test at once if the connection is refused.
func Record[T any](tb testing.TB, sig *signals.Signal[T], opts ...Option) *Recorder[T] {
	tb.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	r := &Recorder[T]{tb: tb, sig: sig, tl: o.tl}
	connect := append([]signals.Option{signals.Name("signalstest.Recorder"), signals.CallerSkip(1)}, o.connect...)
	h, err := sig.TryConnect(signals.ReceiverFunc[T](r.receive), connect...)
	if err != nil {
		tb.Fatalf("signalstest: Record: %v", err)
	}
	r.handle = h
	tb.Cleanup(func() { h.Disconnect() })
	return r
}

func (r *Recorder[T]) receive(ctx context.Context, ev T) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq := len(r.calls) + 1
	if r.tl != nil {
		seq = r.tl.add(r.sig.Name())
	}
	r.calls = append(r.calls, Call[T]{Ctx: ctx, Event: ev, Seq: seq})
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
func (r *Recorder[T]) Stop() { r.handle.Disconnect() }

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
		r.tb.Fatalf("signalstest: %s: no event recorded", r.sig.Name())
	}
	return r.calls[len(r.calls)-1].Event
}

// Reset forgets the recorded events.
func (r *Recorder[T]) Reset() {
	r.mu.Lock()
	r.calls = nil
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
		r.tb.Errorf("signalstest: %s: sent %d times, want %d%s", r.sig.Name(), got, n, list(events))
		return false
	}
	return true
}

// AssertNotSent reports whether no event was recorded.
func (r *Recorder[T]) AssertNotSent() bool {
	r.tb.Helper()
	if got, events := r.matching(nil); got != 0 {
		r.tb.Errorf("signalstest: %s: sent %d times, want never%s", r.sig.Name(), got, list(events))
		return false
	}
	return true
}

// AssertSent reports whether at least one recorded event satisfies match
// (nil matches any event).
func (r *Recorder[T]) AssertSent(match func(T) bool) bool {
	r.tb.Helper()
	if got, events := r.matching(match); got == 0 {
		r.tb.Errorf("signalstest: %s: no matching event among %d sent%s", r.sig.Name(), len(events), list(events))
		return false
	}
	return true
}

// AssertSentOnce reports whether exactly one recorded event satisfies match
// (nil matches any event).
func (r *Recorder[T]) AssertSentOnce(match func(T) bool) bool {
	r.tb.Helper()
	if got, events := r.matching(match); got != 1 {
		r.tb.Errorf("signalstest: %s: %d matching events among %d sent, want exactly 1%s", r.sig.Name(), got, len(events), list(events))
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
