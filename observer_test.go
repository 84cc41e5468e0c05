package signals_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/gosignals/signals"
)

type obsKey struct{}

// logObserver records what it is told as lines, and hands each receiver a
// context value naming it.
type logObserver struct {
	name string
	mu   sync.Mutex
	got  []string
}

func (o *logObserver) add(format string, args ...any) {
	o.mu.Lock()
	o.got = append(o.got, o.name+" "+fmt.Sprintf(format, args...))
	o.mu.Unlock()
}

func (o *logObserver) take() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.got
	o.got = nil
	return out
}

func (o *logObserver) SendStart(ctx context.Context, s *signals.SendInfo) context.Context {
	o.add("send %s %s sender=%v n=%d", s.Signal, s.Kind, s.Sender, s.Receivers)
	return ctx
}

func (o *logObserver) SendEnd(_ context.Context, s *signals.SendInfo, e signals.EndInfo) {
	o.add("end %s %s err=%v", s.Signal, e.Outcome, e.Err != nil)
}

func (o *logObserver) ReceiverStart(ctx context.Context, _ *signals.SendInfo, r *signals.ReceiverInfo) context.Context {
	o.add("call %s", r.Name)
	return context.WithValue(ctx, obsKey{}, o.name+":"+r.Name)
}

func (o *logObserver) ReceiverEnd(ctx context.Context, _ *signals.SendInfo, r *signals.ReceiverInfo, e signals.EndInfo) {
	o.add("done %s %s %v ctx=%v", r.Name, e.Outcome, e.Err, ctx.Value(obsKey{}))
}

func checkLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestObserverSeesSendsAndCalls(t *testing.T) {
	s := signals.New[event]("observed")
	s.SetLogger(slog.New(slog.DiscardHandler))
	var seen []any
	s.ConnectFunc(func(ctx context.Context, ev event) error {
		seen = append(seen, ctx.Value(obsKey{}))
		if ev.N == 1 {
			return errors.New("one")
		}
		return nil
	}, signals.Name("a"))
	s.ConnectFunc(func(ctx context.Context, ev event) error {
		if ev.N == 2 {
			panic("two")
		}
		return nil
	}, signals.Name("b"))

	o := &logObserver{name: "o"}
	stop := signals.Observe(o)
	defer stop()
	ctx := t.Context()

	_ = s.Send(ctx, "x", event{})
	checkLines(t, o.take(),
		"o send observed send sender=x n=2",
		"o call a",
		"o done a ok <nil> ctx=o:a",
		"o call b",
		"o done b ok <nil> ctx=o:b",
		"o end observed ok err=false",
	)
	if len(seen) != 1 || seen[0] != "o:a" {
		t.Fatalf("the receiver got context value %v, want the observer's", seen)
	}

	_ = s.Send(ctx, nil, event{N: 1})
	checkLines(t, o.take(),
		"o send observed send sender=<nil> n=2",
		"o call a",
		"o done a error one ctx=o:a",
		"o end observed error err=true",
	)

	// Send lets a panic through: the observer sees it with no error value.
	func() {
		defer func() {
			if v := recover(); v != "two" {
				t.Fatalf("recovered %v, want the receiver's panic", v)
			}
		}()
		_ = s.Send(ctx, nil, event{N: 2})
	}()
	checkLines(t, o.take(),
		"o send observed send sender=<nil> n=2",
		"o call a",
		"o done a ok <nil> ctx=o:a",
		"o call b",
		"o done b panic <nil> ctx=o:b",
		"o end observed panic err=false",
	)

	_ = s.SendRobust(ctx, nil, event{N: 2})
	checkLines(t, o.take(),
		"o send observed send_robust sender=<nil> n=2",
		"o call a",
		"o done a ok <nil> ctx=o:a",
		"o call b",
		"o done b panic panic: two ctx=o:b",
		"o end observed error err=true",
	)

	// Muted sends are not observed; after stop nothing is.
	_ = s.Send(signals.Mute(ctx, s), nil, event{})
	stop()
	stop()
	_ = s.Send(ctx, nil, event{})
	checkLines(t, o.take())
}

func TestObserversNestInOrder(t *testing.T) {
	s := signals.New[event]("observed.two")
	s.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("r"))
	first := &logObserver{name: "first"}
	second := &logObserver{name: "second"}
	stop1 := signals.Observe(first)
	stop2 := signals.Observe(second)
	stop3 := signals.Observe(second) // the same observer twice: called twice
	_, _ = s.SendAsync(t.Context(), nil, event{})
	stop3()
	stop2()
	stop1()
	checkLines(t, first.take(),
		"first send observed.two send_async sender=<nil> n=1",
		"first call r",
		"first done r ok <nil> ctx=first:r", // its own context, not the second's
		"first end observed.two ok err=false",
	)
	// Start in installation order, End in reverse.
	checkLines(t, second.take(),
		"second send observed.two send_async sender=<nil> n=1",
		"second send observed.two send_async sender=<nil> n=1",
		"second call r",
		"second call r",
		"second done r ok <nil> ctx=second:r",
		"second done r ok <nil> ctx=second:r",
		"second end observed.two ok err=false",
		"second end observed.two ok err=false",
	)
	if signals.Observe(nil) == nil {
		t.Fatal("Observe(nil) must return a usable stop func")
	}
}

// ctxHandler records, for each log record, the observer's context value.
type ctxHandler struct {
	mu   *sync.Mutex
	vals *[]any
}

func (h ctxHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h ctxHandler) Handle(ctx context.Context, _ slog.Record) error {
	h.mu.Lock()
	*h.vals = append(*h.vals, ctx.Value(obsKey{}))
	h.mu.Unlock()
	return nil
}
func (h ctxHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h ctxHandler) WithGroup(string) slog.Handler      { return h }

// A robust failure is logged with the context the observer gave the
// failing receiver, so that logs carry its span.
func TestObserverContextReachesFailureLogs(t *testing.T) {
	s := signals.New[event]("observed.logs")
	var mu sync.Mutex
	var vals []any
	s.SetLogger(slog.New(ctxHandler{&mu, &vals}))
	s.ConnectFunc(func(context.Context, event) error { return errors.New("x") }, signals.Name("bad"))
	stop := signals.Observe(&logObserver{name: "o"})
	defer stop()
	_ = s.SendRobust(t.Context(), nil, event{})
	_, _ = s.SendRobustResults(t.Context(), nil, event{})
	_, _ = s.SendAsync(t.Context(), nil, event{})
	if len(vals) != 3 || vals[0] != "o:bad" || vals[1] != "o:bad" || vals[2] != "o:bad" {
		t.Fatalf("log contexts carried %v, want the receiver's context 3 times", vals)
	}
}
