package signals_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosignals/signals"
)

func TestMute(t *testing.T) {
	var tp tape
	a, b := signals.New[event]("a"), signals.New[event]("b")
	a.ConnectFunc(tp.recv("a"))
	b.ConnectFunc(tp.recv("b"))
	send := func(ctx context.Context) {
		_ = a.Send(ctx, nil, event{})
		_ = b.SendRobust(ctx, nil, event{})
		_, _ = a.SendAsync(ctx, nil, event{})
	}
	ctx := t.Context()
	send(ctx)
	tp.check(t, "a", "b", "a")

	muted := signals.Mute(ctx, a, nil)
	send(muted)
	tp.check(t, "b")
	if !signals.IsMuted(muted, a) || signals.IsMuted(muted, b) || signals.IsMuted(ctx, a) {
		t.Fatal("IsMuted disagrees with Mute")
	}
	if a.Active(muted, nil) || !a.Active(ctx, nil) {
		t.Fatal("Active must be false when muted")
	}
	send(ctx) // the parent context is untouched
	tp.check(t, "a", "b", "a")

	send(signals.Unmute(muted, a))
	tp.check(t, "a", "b", "a")

	all := signals.MuteAll(ctx)
	send(all)
	tp.check(t)
	send(signals.Unmute(all, b))
	tp.check(t, "b")
	send(signals.Mute(signals.Unmute(all, b), b))
	tp.check(t)
}

// Muting is per context, so concurrent goroutines do not see each other's
// muting (unlike disconnecting receivers).
func TestMuteIsGoroutineSafe(t *testing.T) {
	s := signals.New[event]("sig")
	var calls atomic.Int64
	s.ConnectFunc(func(context.Context, event) error { calls.Add(1); return nil })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := t.Context()
			if g%2 == 0 {
				ctx = signals.Mute(ctx, s)
			}
			for range 1000 {
				_ = s.Send(ctx, nil, event{})
			}
		}()
	}
	wg.Wait()
	if got := calls.Load(); got != 4000 {
		t.Fatalf("%d calls, want 4000 (only unmuted goroutines)", got)
	}
}

type session struct {
	name string
	seen *atomic.Int32
}

// Receivers are strong, unlike Django's default weak=True; ConnectOwned
// gives weak, owner-bound receivers.
func TestOwnedReceivers(t *testing.T) {
	s := signals.New[event]("sig")
	var strong atomic.Int32
	s.ConnectFunc(func(context.Context, event) error { strong.Add(1); return nil }) // a closure nobody else holds
	var seen atomic.Int32
	owner := &session{name: "ws-1", seen: &seen}
	signals.ConnectOwned(s, owner, func(_ context.Context, o *session, _ event) error {
		o.seen.Add(1)
		return nil
	})
	runtime.GC()
	_ = s.Send(t.Context(), nil, event{})
	if strong.Load() != 1 || seen.Load() != 1 {
		t.Fatalf("strong %d, owned %d; want 1 and 1", strong.Load(), seen.Load())
	}
	runtime.KeepAlive(owner)
	owner = nil
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Receivers()) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("owned receiver still connected after its owner was collected: %v", s.Receivers())
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	_ = s.Send(t.Context(), nil, event{})
	if strong.Load() != 2 || seen.Load() != 1 {
		t.Fatalf("strong %d, owned %d; want 2 and 1", strong.Load(), seen.Load())
	}
}
