package signals_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gosignals/signals"
)

// withStats turns statistics on for the test, timing one call in sampling.
func withStats(t *testing.T, sampling int) {
	t.Helper()
	signals.SetLatencySampling(sampling)
	signals.EnableStats(true)
	t.Cleanup(func() {
		signals.EnableStats(false)
		signals.SetLatencySampling(signals.DefaultLatencySampling)
	})
}

// statsOf returns the statistics of the receiver named name.
func statsOf(t *testing.T, s signals.AnySignal, name string) signals.ReceiverStats {
	t.Helper()
	for _, st := range s.Stats() {
		if st.Receiver.Name == name {
			return st
		}
	}
	t.Fatalf("no receiver %q on %s", name, s.Name())
	return signals.ReceiverStats{}
}

func TestStatsCountCallsErrorsPanics(t *testing.T) {
	withStats(t, 1)
	s := signals.New[event]("stats.counts")
	boom := errors.New("boom")
	s.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("ok"))
	s.ConnectFunc(func(_ context.Context, ev event) error {
		if ev.N == 1 {
			return boom
		}
		return nil
	}, signals.Name("fails on 1"))
	s.ConnectFunc(func(_ context.Context, ev event) error {
		if ev.N == 2 {
			panic("on 2")
		}
		return nil
	}, signals.Name("panics on 2"))
	ctx := t.Context()

	_ = s.Send(ctx, nil, event{N: 0})                                                // all three
	_ = s.Send(ctx, nil, event{N: 1})                                                // stops at the second
	func() { defer func() { _ = recover() }(); _ = s.Send(ctx, nil, event{N: 2}) }() // the panic goes on
	_ = s.SendRobust(ctx, nil, event{N: 1})                                          // all three, one error
	_ = s.SendRobust(ctx, nil, event{N: 2})                                          // all three, one panic
	_, _ = s.SendRobustResults(ctx, nil, event{N: 0})                                // all three
	_, _ = s.SendAsync(ctx, nil, event{N: 2})                                        // all three, one panic

	tests := []struct {
		name                  string
		calls, errors, panics uint64
	}{
		{"ok", 7, 0, 0},
		{"fails on 1", 7, 2, 0},
		{"panics on 2", 6, 0, 3},
	}
	for _, tt := range tests {
		got := statsOf(t, s, tt.name)
		if got.Calls != tt.calls || got.Errors != tt.errors || got.Panics != tt.panics {
			t.Errorf("%s: calls/errors/panics = %d/%d/%d, want %d/%d/%d", tt.name,
				got.Calls, got.Errors, got.Panics, tt.calls, tt.errors, tt.panics)
		}
		if got.Measured != got.Calls-got.Panics {
			t.Errorf("%s: measured %d of %d calls with sampling 1 (panicking calls are not timed)", tt.name, got.Measured, got.Calls)
		}
	}
}

func TestStatsLatency(t *testing.T) {
	withStats(t, 1)
	s := signals.New[event]("stats.latency")
	s.ConnectFunc(func(_ context.Context, ev event) error {
		time.Sleep(time.Duration(ev.N) * time.Millisecond)
		return nil
	}, signals.Name("sleeper"))
	// 98 calls of 2 ms and 2 of 30 ms: p50 is 2 ms, p99 is 30 ms.
	for i := range 100 {
		n := 2
		if i%50 == 49 {
			n = 30
		}
		if err := s.Send(t.Context(), nil, event{N: n}); err != nil {
			t.Fatal(err)
		}
	}
	st := statsOf(t, s, "sleeper")
	within := func(what string, got, low, high time.Duration) {
		if got < low || got > high {
			t.Errorf("%s = %v, want within [%v, %v]", what, got, low, high)
		}
	}
	// Sleeps last at least what they ask; a loaded machine adds to it.
	within("P50", st.P50, 2*time.Millisecond, 6*time.Millisecond)
	within("P99", st.P99, 30*time.Millisecond, 45*time.Millisecond)
	within("Max", st.Max, 30*time.Millisecond, 60*time.Millisecond)
	within("Mean", st.Mean, 2*time.Millisecond+560*time.Microsecond, 8*time.Millisecond)
	if st.Calls != 100 || st.Measured != 100 {
		t.Errorf("calls %d, measured %d; want 100, 100", st.Calls, st.Measured)
	}
}

func TestStatsSampling(t *testing.T) {
	withStats(t, 10) // rounded up to 16
	s := signals.New[event]("stats.sampling")
	s.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("r"))
	for range 100 {
		_ = s.Send(t.Context(), nil, event{})
	}
	// Calls 1, 17, 33, 49, 65, 81, 97 are timed.
	if st := statsOf(t, s, "r"); st.Calls != 100 || st.Measured != 7 {
		t.Fatalf("calls %d, measured %d; want 100, 7", st.Calls, st.Measured)
	}
}

func TestStatsOffCountsNothing(t *testing.T) {
	s := signals.New[event]("stats.off")
	s.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("r"))
	_ = s.Send(t.Context(), nil, event{})
	if st := statsOf(t, s, "r"); st.Calls != 0 {
		t.Fatalf("counted %d calls with statistics off", st.Calls)
	}
	withStats(t, 1)
	_ = s.Send(t.Context(), nil, event{})
	signals.EnableStats(false)
	_ = s.Send(t.Context(), nil, event{})
	if st := statsOf(t, s, "r"); st.Calls != 1 {
		t.Fatalf("counted %d calls, want the 1 made while on", st.Calls)
	}
	if signals.StatsEnabled() {
		t.Fatal("StatsEnabled after EnableStats(false)")
	}
	signals.ResetStats()
	if st := statsOf(t, s, "r"); st.Calls != 0 || st.Measured != 0 {
		t.Fatalf("after ResetStats: %+v", st)
	}
}

// Muting and statistics together: a muted send counts nothing.
func TestStatsMutedSendNotCounted(t *testing.T) {
	withStats(t, 1)
	s := signals.New[event]("stats.muted")
	s.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("r"))
	muted := signals.Mute(t.Context(), s)
	_ = s.Send(muted, nil, event{})
	_ = s.SendRobust(muted, nil, event{})
	_ = s.Send(t.Context(), nil, event{})
	if st := statsOf(t, s, "r"); st.Calls != 1 {
		t.Fatalf("calls %d, want 1 (muted sends call nothing)", st.Calls)
	}
}
