package signals_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosignals/signals"
)

// SendRobust calls every receiver, recovers panics with their stack, logs
// each failure and returns them joined (Django's tests/dispatch/tests.py,
// DispatcherTests.test_send_robust_fail).
func TestSendRobustRunsEveryReceiver(t *testing.T) {
	var tp tape
	var logs bytes.Buffer
	boom := errors.New("boom")
	s := signals.New[event]("sig")
	s.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	s.ConnectFunc(tp.recv("a"))
	s.ConnectFunc(func(context.Context, event) error { tp.got = append(tp.got, "err"); return boom }, signals.Name("erring"))
	s.ConnectFunc(func(context.Context, event) error { tp.got = append(tp.got, "panic"); panic("kaboom") }, signals.Name("panicking"))
	s.ConnectFunc(tp.recv("z"))

	err := s.SendRobust(t.Context(), nil, event{})
	tp.check(t, "a", "err", "panic", "z")
	if !errors.Is(err, boom) {
		t.Fatalf("joined error %v does not contain boom", err)
	}
	var pe *signals.PanicError
	if !errors.As(err, &pe) || pe.Value != "kaboom" || !bytes.Contains(pe.Stack, []byte("robust_test.go")) {
		t.Fatalf("PanicError = %+v", pe)
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 2 {
		t.Fatalf("want 2 joined failures, got %v", err)
	}
	for _, e := range joined.Unwrap() {
		var re *signals.ReceiverError
		if !errors.As(e, &re) {
			t.Fatalf("failure %v is not a ReceiverError", e)
		}
	}
	out := logs.String()
	for _, want := range []string{"signals: receiver failed", "receiver=erring", "error=boom", "signals: receiver panicked", "receiver=panicking", "stack="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}

	res, err := s.SendRobustResults(t.Context(), nil, event{})
	tp.got = nil
	if len(res) != 4 || res[0].Err != nil || !errors.Is(res[1].Err, boom) || res[3].Err != nil {
		t.Fatalf("results = %+v", res)
	}
	if _, ok := res[2].Err.(*signals.PanicError); !ok || err == nil {
		t.Fatalf("result of the panicking receiver = %v", res[2].Err)
	}
	// A panic with an error value is still that error for errors.Is.
	s2 := signals.New[event]("sig2")
	s2.SetLogger(slog.New(slog.DiscardHandler))
	s2.ConnectFunc(func(context.Context, event) error { panic(boom) })
	if err := s2.SendRobust(t.Context(), nil, event{}); !errors.Is(err, boom) {
		t.Fatalf("panic(boom) not seen as boom: %v", err)
	}
}

// Async sends run receivers concurrently; results come back in
// registration order, not completion order (as asend's in Django's
// tests/signals/tests.py, AsyncReceiversTests.test_asend).
func TestSendAsyncResultsInCallOrder(t *testing.T) {
	s := signals.New[event]("sig")
	s.SetLogger(slog.New(slog.DiscardHandler))
	var running, peak atomic.Int32
	var mu sync.Mutex
	var finished []int
	const n = 6
	for i := range n {
		s.ConnectFunc(func(context.Context, event) error {
			cur := running.Add(1)
			for {
				p := peak.Load()
				if cur <= p || peak.CompareAndSwap(p, cur) {
					break
				}
			}
			// The first receiver is the slowest, so it finishes last.
			time.Sleep(time.Duration(n-i) * 5 * time.Millisecond)
			running.Add(-1)
			mu.Lock()
			finished = append(finished, i)
			mu.Unlock()
			if i == 2 {
				return errors.New("two")
			}
			return nil
		}, signals.Name(string(rune('a'+i))))
	}
	res, err := s.SendAsync(t.Context(), nil, event{})
	if err == nil || !strings.Contains(err.Error(), "receiver c") {
		t.Fatalf("error = %v, want receiver c's failure", err)
	}
	for i, r := range res {
		if r.Receiver.Name != string(rune('a'+i)) || !r.Called {
			t.Fatalf("result %d is %s, want registration order", i, r.Receiver.Name)
		}
	}
	if finished[0] == 0 {
		t.Fatalf("completion order %v: the slow first receiver should not finish first", finished)
	}
	if peak.Load() < 2 {
		t.Fatalf("peak concurrency %d, want receivers to overlap", peak.Load())
	}

	peak.Store(0)
	finished = nil
	if _, err := s.SendAsync(t.Context(), nil, event{}, signals.MaxConcurrency(2)); err == nil {
		t.Fatal("want receiver c's error")
	}
	if p := peak.Load(); p > 2 {
		t.Fatalf("peak concurrency %d with MaxConcurrency(2)", p)
	}
}

// Async sends honour cancellation: receivers not started are not called.
func TestSendAsyncCancel(t *testing.T) {
	s := signals.New[event]("sig")
	ctx, cancel := context.WithCancel(t.Context())
	var called atomic.Int32
	s.ConnectFunc(func(context.Context, event) error { called.Add(1); cancel(); return nil })
	for range 3 {
		s.ConnectFunc(func(context.Context, event) error { called.Add(1); return nil })
	}
	res, err := s.SendAsync(ctx, nil, event{}, signals.MaxConcurrency(1))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if called.Load() != 1 || !res[0].Called || res[1].Called || !errors.Is(res[3].Err, context.Canceled) {
		t.Fatalf("called %d; results %+v", called.Load(), res)
	}
}

// A panic in an async receiver is recovered, not fatal.
func TestSendAsyncPanic(t *testing.T) {
	s := signals.New[event]("sig")
	s.SetLogger(slog.New(slog.DiscardHandler))
	s.ConnectFunc(func(context.Context, event) error { panic("async kaboom") })
	s.ConnectFunc(func(context.Context, event) error { return nil })
	res, err := s.SendAsync(t.Context(), nil, event{})
	var pe *signals.PanicError
	if !errors.As(err, &pe) || res[1].Err != nil {
		t.Fatalf("err = %v, results %+v", err, res)
	}
}
