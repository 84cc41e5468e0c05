package signals_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gosignals/signals"
)

// callable is a pointer Receiver, Django's callable object.
type callable struct{ n int }

func (c *callable) Receive(context.Context, event) error { c.n++; return nil }

// Incr is a method for method values.
func (c *callable) Incr(context.Context, event) error { c.n++; return nil }

// valueReceiver is a Receiver that is not a pointer: it has no identity.
type valueReceiver struct{ calls *int }

func (v valueReceiver) Receive(context.Context, event) error { *v.calls++; return nil }

var identityCalls int

func countCall(context.Context, event) error { identityCalls++; return nil }

// connections returns the number of receivers of s and the calls one send
// makes, counted by calls.
func connections(t *testing.T, s *signals.Signal[event], sender any, calls *int) (receivers, called int) {
	t.Helper()
	*calls = 0
	if err := s.Send(t.Context(), sender, event{}); err != nil {
		t.Fatal(err)
	}
	return len(s.Receivers()), *calls
}

// The same receiver connected twice for the same sender is registered once,
// as Django's connect skips a lookup_key it holds
// (django/dispatch/dispatcher.py; tests/dispatch/tests.py,
// DispatcherTests.test_multiple_registration): the second Connect returns a
// handle to the first connection, which keeps its place and options.
func TestConnectSameReceiverTwiceRegistersOnce(t *testing.T) {
	c := &callable{}
	closureCalls := 0
	closure := func(context.Context, event) error { closureCalls++; return nil }
	for _, tc := range []struct {
		name    string
		connect func(s *signals.Signal[event]) *signals.Handle
		calls   *int
	}{
		{"function", func(s *signals.Signal[event]) *signals.Handle { return s.ConnectFunc(countCall) }, &identityCalls},
		{"function as ReceiverFunc", func(s *signals.Signal[event]) *signals.Handle {
			return s.Connect(signals.ReceiverFunc[event](countCall))
		}, &identityCalls},
		{"closure value", func(s *signals.Signal[event]) *signals.Handle { return s.ConnectFunc(closure) }, &closureCalls},
		{"pointer Receiver", func(s *signals.Signal[event]) *signals.Handle { return s.Connect(c) }, &c.n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := signals.New[event]("identity")
			first := tc.connect(s)
			var again *signals.Handle
			for range 5 {
				again = tc.connect(s)
			}
			if again.Info().ID != first.Info().ID || again.Info().Line != first.Info().Line {
				t.Fatalf("second handle %+v, want the first connection %+v", again.Info(), first.Info())
			}
			if n, called := connections(t, s, nil, tc.calls); n != 1 || called != 1 {
				t.Fatalf("%d receivers, %d calls; want 1 and 1", n, called)
			}
			// Either handle disconnects the one receiver; afterwards the
			// receiver connects anew.
			if !again.Disconnect() || first.Disconnect() || len(s.Receivers()) != 0 {
				t.Fatal("disconnecting through the second handle")
			}
			if h := tc.connect(s); h.Info().ID == first.Info().ID || len(s.Receivers()) != 1 {
				t.Fatalf("reconnected with ID %d", h.Info().ID)
			}
		})
	}
}

// Without an identity, each connection is a receiver of its own: a
// capturing closure or a method value evaluated again is a new func value
// (Django's bound methods are the same receiver: a Go method value is
// not); a Receiver that is not a pointer has no identity.
func TestConnectWithoutIdentityRegistersEachTime(t *testing.T) {
	c := &callable{}
	calls := 0
	for _, tc := range []struct {
		name    string
		connect func(s *signals.Signal[event])
		calls   *int
		want    int
	}{
		{"capturing closure evaluated twice", func(s *signals.Signal[event]) {
			for range 2 {
				s.ConnectFunc(func(context.Context, event) error { calls++; return nil })
			}
		}, &calls, 2},
		{"method value evaluated twice", func(s *signals.Signal[event]) {
			s.ConnectFunc(c.Incr)
			s.ConnectFunc(c.Incr)
		}, &c.n, 2},
		{"method value stored once", func(s *signals.Signal[event]) {
			m := c.Incr
			s.ConnectFunc(m)
			s.ConnectFunc(m)
		}, &c.n, 1},
		{"value Receiver", func(s *signals.Signal[event]) {
			r := valueReceiver{&calls}
			s.Connect(r)
			s.Connect(r)
		}, &calls, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := signals.New[event]("identity")
			tc.connect(s)
			if n, called := connections(t, s, nil, tc.calls); n != tc.want || called != tc.want {
				t.Fatalf("%d receivers, %d calls; want %d", n, called, tc.want)
			}
		})
	}
}

// The key is the receiver and the sender, as Django's lookup_key; a UID
// takes the receiver's place in it (tests/dispatch/tests.py,
// DispatcherTests.test_uid_registration).
func TestConnectIdentityKeyIsReceiverAndSenderOrUID(t *testing.T) {
	s := signals.New[event]("identity")
	s.ConnectFunc(countCall, signals.Sender("a"))
	s.ConnectFunc(countCall, signals.Sender("a"), signals.Name("ignored: already connected"))
	s.ConnectFunc(countCall, signals.Sender("b"))
	s.ConnectFunc(countCall) // every sender
	if n, called := connections(t, s, "a", &identityCalls); n != 3 || called != 2 {
		t.Fatalf("%d receivers, %d calls for sender a; want 3 and 2", n, called)
	}
	if got := s.ReceiversFor("a")[0].Name; got == "ignored: already connected" {
		t.Fatal("the second connection's options replaced the first's")
	}

	u := signals.New[event]("identity.uid")
	u.ConnectFunc(countCall)
	u.ConnectFunc(countCall, signals.UID("one"))
	u.ConnectFunc(countCall, signals.UID("two"))
	u.ConnectFunc(countCall, signals.UID("two"))
	if n, called := connections(t, u, nil, &identityCalls); n != 3 || called != 3 {
		t.Fatalf("%d receivers, %d calls; want 3 and 3", n, called)
	}
}

// ConnectAll registers a receiver once on each signal, and refers to the
// connection already there.
func TestConnectAllKeepsTheConnectionAlreadyThere(t *testing.T) {
	a, b := signals.New[event]("identity.a"), signals.New[event]("identity.b")
	first := a.ConnectFunc(countCall)
	h := signals.ConnectAll([]*signals.Signal[event]{a, b}, signals.ReceiverFunc[event](countCall))
	if len(a.Receivers()) != 1 || len(b.Receivers()) != 1 || h.Info().ID != first.Info().ID {
		t.Fatalf("a: %d receivers, b: %d", len(a.Receivers()), len(b.Receivers()))
	}
	if !h.Disconnect() || len(a.Receivers()) != 0 || len(b.Receivers()) != 0 {
		t.Fatal("ConnectAll's handle left receivers connected")
	}
}

// Connect with n receivers connected: it looks for the receiver among
// them, then copies the snapshot. Send does not change.
func BenchmarkConnect(b *testing.B) {
	for _, n := range []int{0, 10, 100, 1000} {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			s := signals.New[*benchEv]("bench")
			for i := range n {
				s.ConnectFunc(func(context.Context, *benchEv) error { _ = i; return nil })
			}
			b.ReportAllocs()
			for b.Loop() {
				s.ConnectFunc(noop).Disconnect()
			}
		})
	}
}
