package signals

import (
	"context"
	"testing"
)

type nopObserver struct{}

func (nopObserver) SendStart(ctx context.Context, _ *SendInfo) context.Context { return ctx }
func (nopObserver) SendEnd(context.Context, *SendInfo, EndInfo)                {}
func (nopObserver) ReceiverStart(ctx context.Context, _ *SendInfo, _ *ReceiverInfo) context.Context {
	return ctx
}
func (nopObserver) ReceiverEnd(context.Context, *SendInfo, *ReceiverInfo, EndInfo) {}

// Every feature sets its global bit while on and clears it when off, so
// that sends return to the fast path.
func TestGlobalFlagsClearWhenOff(t *testing.T) {
	on := func() uint32 { return globalFlags.Load() &^ flagMuted }
	if on() != 0 {
		t.Fatalf("flags %b set before the test", on())
	}
	s := New[int]("flags")
	s.ConnectFunc(func(context.Context, int) error { return nil })
	if s.c.slow() && globalFlags.Load()&flagMuted == 0 {
		t.Fatal("a new signal takes the slow path")
	}

	EnableStats(true)
	if on() != flagStats {
		t.Fatalf("stats on: flags %b", on())
	}
	EnableStats(false)

	_, tr1 := StartTrace(context.Background(), "a")
	_, tr2 := StartTrace(context.Background(), "b")
	tr1.Stop()
	tr1.Stop()
	if on() != flagTrace {
		t.Fatalf("one trace still recording: flags %b", on())
	}
	tr2.Stop()

	stop1 := Observe(nopObserver{})
	stop2 := Observe(nopObserver{})
	stop1()
	stop1()
	if on() != flagObserve {
		t.Fatalf("one observer left: flags %b", on())
	}
	stop2()

	if on() != 0 {
		t.Fatalf("flags %b left after everything was switched off", on())
	}
	ctx := Mute(context.Background(), s)
	if s.c.flags.Load() != flagMuted || !s.c.slow() || !s.c.muted(ctx) || s.c.muted(context.Background()) {
		t.Fatal("muting a signal must set its own bit and only mute its context")
	}
}
