package signals_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gosignals/signals"
)

type event struct{ N int }

// tape records which receivers ran, in order.
type tape struct{ got []string }

func (tp *tape) recv(name string) func(context.Context, event) error {
	return func(context.Context, event) error {
		tp.got = append(tp.got, name)
		return nil
	}
}

func (tp *tape) check(t *testing.T, want ...string) {
	t.Helper()
	if !slices.Equal(tp.got, want) {
		t.Fatalf("called %q, want %q", tp.got, want)
	}
	tp.got = nil
}

type senderA struct{}
type senderB struct{}

var (
	sA = reflect.TypeFor[senderA]()
	sB = reflect.TypeFor[senderB]()
)

// C2: a signal with no receivers calls nothing and returns no results.
func TestC2NoReceivers(t *testing.T) {
	s := signals.New[event]("sig")
	if err := s.Send(t.Context(), nil, event{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SendRobust(t.Context(), sA, event{}); err != nil {
		t.Fatal(err)
	}
	res, err := s.SendRobustResults(t.Context(), nil, event{})
	if err != nil || len(res) != 0 {
		t.Fatalf("SendRobustResults = %v, %v; want none", res, err)
	}
	res, err = s.SendAsync(t.Context(), nil, event{})
	if err != nil || len(res) != 0 {
		t.Fatalf("SendAsync = %v, %v; want none", res, err)
	}
	var zero signals.Signal[event]
	if err := zero.Send(t.Context(), nil, event{}); err != nil || zero.Name() != "unnamed" {
		t.Fatalf("zero Signal: %v, name %q", err, zero.Name())
	}
}

type counter struct{ n int }

func (c *counter) Receive(context.Context, event) error { c.n++; return nil }

// C3: any Receiver implementation can be connected, not only functions.
func TestC3ReceiverValue(t *testing.T) {
	s := signals.New[event]("sig")
	c := &counter{}
	h := s.Connect(c)
	_ = s.Send(t.Context(), nil, event{})
	if c.n != 1 {
		t.Fatalf("called %d times, want 1", c.n)
	}
	if got := h.Info().Func; got != "*signals_test.counter" {
		t.Fatalf("Func = %q", got)
	}
}

// C4, C8: a UID is connected once per sender; the first registration wins
// and keeps its position, even with another function.
func TestC4C8UIDDedup(t *testing.T) {
	var tp tape
	s := signals.New[event]("sig")
	s.ConnectFunc(tp.recv("first"), signals.UID("u"))
	s.ConnectFunc(tp.recv("middle"))
	h := s.ConnectFunc(tp.recv("second"), signals.UID("u"))
	s.ConnectFunc(tp.recv("first-again"), signals.UID("u"))
	if h.Info().Name == "" || h.Info().UID != "u" {
		t.Fatalf("handle of duplicate = %+v", h.Info())
	}
	_ = s.Send(t.Context(), nil, event{})
	tp.check(t, "first", "middle")

	// C8: the same UID for another sender is another receiver.
	s.ConnectFunc(tp.recv("forA"), signals.UID("u"), signals.Sender(sA))
	_ = s.Send(t.Context(), sA, event{})
	tp.check(t, "first", "middle", "forA")
	if n := len(s.Receivers()); n != 3 {
		t.Fatalf("%d receivers, want 3", n)
	}
	// The duplicate's handle refers to the first registration.
	if !h.Disconnect() {
		t.Fatal("Disconnect via duplicate's handle = false")
	}
	_ = s.Send(t.Context(), nil, event{})
	tp.check(t, "middle")
}

// C5: one function connected for every sender and for S is called twice for
// S; C7: with and without a UID it is two receivers.
func TestC5C7SameFunctionTwice(t *testing.T) {
	n := 0
	f := func(context.Context, event) error { n++; return nil }
	s := signals.New[event]("sig")
	s.ConnectFunc(f)
	s.ConnectFunc(f, signals.Sender(sA))
	_ = s.Send(t.Context(), sA, event{})
	if n != 2 {
		t.Fatalf("called %d times, want 2", n)
	}
	s2 := signals.New[event]("sig2")
	s2.ConnectFunc(f, signals.UID("x"))
	s2.ConnectFunc(f)
	if got := len(s2.Receivers()); got != 2 {
		t.Fatalf("%d receivers, want 2", got)
	}
}

// C6 (deliberate difference) and C9: bad input panics with a "signals:"
// message in Connect and is an error in TryConnect; nothing is registered.
func TestC6C9BadInput(t *testing.T) {
	s := signals.New[event]("sig")
	var nilSig *signals.Signal[event]
	var nilFunc signals.ReceiverFunc[event]
	var nilCounter *counter
	ok := func(context.Context, event) error { return nil }
	cases := []struct {
		name    string
		connect func() (*signals.Handle, error)
		want    error
	}{
		{"nil signal", func() (*signals.Handle, error) { return nilSig.TryConnect(signals.ReceiverFunc[event](ok)) }, signals.ErrNilSignal},
		{"nil receiver", func() (*signals.Handle, error) { return s.TryConnect(nil) }, signals.ErrNilReceiver},
		{"nil func", func() (*signals.Handle, error) { return s.TryConnect(nilFunc) }, signals.ErrNilReceiver},
		{"nil pointer receiver", func() (*signals.Handle, error) { return s.TryConnect(nilCounter) }, signals.ErrNilReceiver},
		{"empty UID (C6)", func() (*signals.Handle, error) { return s.TryConnect(signals.ReceiverFunc[event](ok), signals.UID("")) }, signals.ErrInvalidOption},
		{"empty name", func() (*signals.Handle, error) {
			return s.TryConnect(signals.ReceiverFunc[event](ok), signals.Name(""))
		}, signals.ErrInvalidOption},
		{"uncomparable sender", func() (*signals.Handle, error) {
			return s.TryConnect(signals.ReceiverFunc[event](ok), signals.Sender([]int{1}))
		}, signals.ErrInvalidOption},
		{"nil option", func() (*signals.Handle, error) { return s.TryConnect(signals.ReceiverFunc[event](ok), nil) }, signals.ErrInvalidOption},
		{"negative skip", func() (*signals.Handle, error) {
			return s.TryConnect(signals.ReceiverFunc[event](ok), signals.CallerSkip(-1))
		}, signals.ErrInvalidOption},
		{"ConnectAll of nothing", func() (*signals.Handle, error) {
			return signals.TryConnectAll(nil, signals.ReceiverFunc[event](ok))
		}, signals.ErrNilSignal},
		{"ConnectAll with a nil signal", func() (*signals.Handle, error) {
			return signals.TryConnectAll([]*signals.Signal[event]{s, nil}, signals.ReceiverFunc[event](ok))
		}, signals.ErrNilSignal},
		{"nil owner", func() (*signals.Handle, error) {
			return signals.TryConnectOwned(s, (*counter)(nil), func(context.Context, *counter, event) error { return nil })
		}, signals.ErrInvalidOption},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := tc.connect()
			if !errors.Is(err, tc.want) || h != nil {
				t.Fatalf("got %v, %v; want error %v", h, err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "signals: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			if n := len(s.Receivers()); n != 0 {
				t.Fatalf("%d receivers registered after a failed connect", n)
			}
		})
	}
	mustPanic(t, "signals: nil receiver", func() { s.Connect(nil) })
	mustPanic(t, "signals: nil receiver", func() { s.ConnectFunc(nil) })
	mustPanic(t, "signals: invalid option: empty UID", func() { s.ConnectFunc(ok, signals.UID("")) })
	mustPanic(t, "signals: nil signal", func() { nilSig.ConnectFunc(ok) })
	mustPanic(t, "signals: nil signal", func() {
		signals.ConnectAll([]*signals.Signal[event]{s, nilSig}, signals.ReceiverFunc[event](ok))
	})
	if n := len(s.Receivers()); n != 0 {
		t.Fatalf("%d receivers after panics, want 0 (nothing half-registered)", n)
	}
	if err := nilSig.Send(t.Context(), nil, event{}); !errors.Is(err, signals.ErrNilSignal) {
		t.Fatalf("Send on nil signal = %v", err)
	}
}

func mustPanic(t *testing.T, prefix string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		v := recover()
		err, _ := v.(error)
		if err == nil || !strings.HasPrefix(err.Error(), prefix) {
			t.Fatalf("panic %v, want an error starting with %q", v, prefix)
		}
	}()
	f()
}

// C13: sender filtering; C18: HasListeners.
func TestC13C18SenderFilter(t *testing.T) {
	var tp tape
	s := signals.New[event]("sig")
	if s.HasListeners(nil) || s.HasListeners(sA) {
		t.Fatal("HasListeners on an empty signal")
	}
	s.ConnectFunc(tp.recv("a"), signals.Sender(sA))
	if s.HasListeners(nil) || !s.HasListeners(sA) || s.HasListeners(sB) {
		t.Fatal("C18: a receiver for S only makes HasListeners(nil) false and HasListeners(S) true")
	}
	s.ConnectFunc(tp.recv("str"), signals.Sender("shop.Book"))
	s.ConnectFunc(tp.recv("all"))
	if !s.HasListeners(nil) || !s.HasListeners(sB) {
		t.Fatal("a catch-all receiver counts for every sender")
	}
	_ = s.Send(t.Context(), sA, event{})
	tp.check(t, "a", "all")
	_ = s.Send(t.Context(), sB, event{})
	tp.check(t, "all")
	_ = s.Send(t.Context(), nil, event{})
	tp.check(t, "all")
	// Equality, not identity: an equal string built at run time matches.
	_ = s.Send(t.Context(), strings.Join([]string{"shop", "Book"}, "."), event{})
	tp.check(t, "str", "all")
	if got := s.ReceiversFor(sA); len(got) != 2 || got[0].Sender != sA || got[1].Sender != nil {
		t.Fatalf("ReceiversFor(A) = %v", got)
	}
}

// C15, C16: Disconnect reports whether something was removed; a UID
// receiver is removed by UID with the sender it was connected with.
func TestC15C16Disconnect(t *testing.T) {
	var tp tape
	s := signals.New[event]("sig")
	h := s.ConnectFunc(tp.recv("h"))
	s.ConnectFunc(tp.recv("u"), signals.UID("u"), signals.Sender(sA))
	if !h.Disconnect() || h.Disconnect() {
		t.Fatal("Disconnect must report true once, then false")
	}
	if s.DisconnectUID("u", nil) || s.DisconnectUID("u", sB) || s.DisconnectUID("", sA) {
		t.Fatal("DisconnectUID with another sender removed the receiver")
	}
	_ = s.Send(t.Context(), sA, event{})
	tp.check(t, "u")
	if !s.DisconnectUID("u", sA) || s.DisconnectUID("u", sA) {
		t.Fatal("DisconnectUID must report true once, then false")
	}
	_ = s.Send(t.Context(), sA, event{})
	tp.check(t)
	if s.HasListeners(sA) {
		t.Fatal("HasListeners after every receiver was disconnected")
	}
	var nilHandle *signals.Handle
	if nilHandle.Disconnect() {
		t.Fatal("nil handle disconnected something")
	}
	s.ConnectFunc(tp.recv("x"))
	s.ConnectFunc(tp.recv("y"), signals.Sender(sA))
	if n := s.DisconnectAll(); n != 2 || s.HasListeners(sA) {
		t.Fatalf("DisconnectAll = %d", n)
	}
}

// C17, C36: each send works on a snapshot; receivers may connect,
// disconnect and send re-entrantly.
func TestC17C36Snapshot(t *testing.T) {
	var tp tape
	s := signals.New[event]("sig")
	var self, victim *signals.Handle
	self = s.ConnectFunc(func(ctx context.Context, ev event) error {
		tp.got = append(tp.got, "self")
		self.Disconnect()   // disconnects itself
		victim.Disconnect() // and a later receiver: still called this time
		s.ConnectFunc(tp.recv("late"))
		if ev.N == 0 {
			return s.Send(ctx, nil, event{N: 1}) // re-entrant send to the same signal
		}
		return nil
	})
	victim = s.ConnectFunc(tp.recv("victim"))
	if err := s.Send(t.Context(), nil, event{}); err != nil {
		t.Fatal(err)
	}
	// The nested send ran after self and victim were disconnected and one
	// "late" was connected; the outer send still called victim.
	tp.check(t, "self", "late", "victim")
	// Only the outer send's "late" remains: the nested send ran after self
	// had disconnected itself, so it connected nothing.
	_ = s.Send(t.Context(), nil, event{})
	tp.check(t, "late")
}

// C20, C21: sender and catch-all receivers are interleaved in registration
// order; Priority reorders on top of it.
func TestC21Order(t *testing.T) {
	var tp tape
	s := signals.New[event]("sig")
	s.ConnectFunc(tp.recv("1-all"))
	s.ConnectFunc(tp.recv("2-A"), signals.Sender(sA))
	s.ConnectFunc(tp.recv("3-all"))
	s.ConnectFunc(tp.recv("4-B"), signals.Sender(sB))
	s.ConnectFunc(tp.recv("5-A"), signals.Sender(sA))
	s.ConnectFunc(tp.recv("6-all"))
	_ = s.Send(t.Context(), sA, event{})
	tp.check(t, "1-all", "2-A", "3-all", "5-A", "6-all")
	_ = s.Send(t.Context(), sB, event{})
	tp.check(t, "1-all", "3-all", "4-B", "6-all")

	s.ConnectFunc(tp.recv("first"), signals.Priority(10))
	s.ConnectFunc(tp.recv("last"), signals.Priority(-1), signals.Sender(sA))
	s.ConnectFunc(tp.recv("first-2"), signals.Priority(10), signals.Sender(sA))
	_ = s.Send(t.Context(), sA, event{})
	tp.check(t, "first", "first-2", "1-all", "2-A", "3-all", "5-A", "6-all", "last")
	res, _ := s.SendRobustResults(t.Context(), sA, event{})
	want := s.ReceiversFor(sA)
	if len(res) != 8 || len(want) != 8 {
		t.Fatalf("C20: %d results for %d receivers, want 8", len(res), len(want))
	}
	for i := range res {
		if res[i].Receiver.ID != want[i].ID || !res[i].Called {
			t.Fatalf("C20: result %d is receiver %d, want %d", i, res[i].Receiver.ID, want[i].ID)
		}
	}
	tp.check(t, "first", "first-2", "1-all", "2-A", "3-all", "5-A", "6-all", "last")
	infos := s.Receivers()
	for i := 1; i < len(infos); i++ {
		a, b := infos[i-1], infos[i]
		if a.Priority < b.Priority || (a.Priority == b.Priority && a.ID > b.ID) {
			t.Fatalf("Receivers() not in call order at %d: %v", i, infos)
		}
	}
}

// C22: Send stops at the first error and returns it wrapped with the signal
// and receiver; errors.Is/As see through.
func TestC22SendStopsAtFirstError(t *testing.T) {
	var tp tape
	boom := errors.New("boom")
	s := signals.New[event]("post_save")
	s.ConnectFunc(tp.recv("a"))
	s.ConnectFunc(func(context.Context, event) error { tp.got = append(tp.got, "fails"); return boom }, signals.Name("audit"))
	s.ConnectFunc(tp.recv("never"))
	err := s.Send(t.Context(), nil, event{})
	tp.check(t, "a", "fails")
	if !errors.Is(err, boom) {
		t.Fatalf("errors.Is(%v, boom) = false", err)
	}
	var re *signals.ReceiverError
	if !errors.As(err, &re) || re.Signal != "post_save" || re.Receiver.Name != "audit" {
		t.Fatalf("ReceiverError = %+v", re)
	}
	if !strings.Contains(err.Error(), "post_save receiver audit (") || !strings.Contains(err.Error(), "signal_test.go:") {
		t.Fatalf("error %q does not name the signal, receiver and location", err)
	}
}

// Send lets a panic through and the signal stays usable.
func TestSendPanicPropagates(t *testing.T) {
	s := signals.New[event]("sig")
	h := s.ConnectFunc(func(context.Context, event) error { panic("kaboom") })
	func() {
		defer func() {
			if v := recover(); v != "kaboom" {
				t.Fatalf("recovered %v, want kaboom", v)
			}
		}()
		_ = s.Send(t.Context(), nil, event{})
	}()
	h.Disconnect()
	var tp tape
	s.ConnectFunc(tp.recv("after"))
	_ = s.Send(t.Context(), nil, event{})
	tp.check(t, "after")
}

// Location records the connecting call, and CallerSkip/Func let wrappers
// point at their user's code.
func TestReceiverLocation(t *testing.T) {
	s := signals.New[event]("sig")
	h := s.ConnectFunc(namedReceiver) // the line checked below
	info := h.Info()
	if !strings.HasSuffix(info.File, "signal_test.go") || info.Line == 0 {
		t.Fatalf("location %s:%d", info.File, info.Line)
	}
	if info.Func != "github.com/gosignals/signals_test.namedReceiver" || info.Name != info.Func || info.Mode != "inline" {
		t.Fatalf("info = %+v", info)
	}
	wrapped := wrapConnect(s, namedReceiver)
	if w := wrapped.Info(); w.Line != info.Line+8 || w.Func != info.Func || w.Mode != "test-mode" {
		t.Fatalf("wrapper location %s (func %s), want line %d", w.Location(), w.Func, info.Line+8)
	}
	if h2 := signals.ConnectAll([]*signals.Signal[event]{s}, signals.ReceiverFunc[event](namedReceiver)); h2.Info().Line != info.Line+12 {
		t.Fatalf("ConnectAll location line %d, want %d", h2.Info().Line, info.Line+12)
	}
}

func namedReceiver(context.Context, event) error { return nil }

// wrapConnect stands for an adapter package connecting on a user's behalf.
func wrapConnect(s *signals.Signal[event], fn func(context.Context, event) error) *signals.Handle {
	return s.ConnectFunc(func(ctx context.Context, ev event) error { return fn(ctx, ev) },
		signals.CallerSkip(1), signals.Func(fn), signals.Mode("test-mode"))
}

// C34, C35: one receiver for several signals; a repeated signal once; one
// handle disconnects all.
func TestC34C35ConnectAll(t *testing.T) {
	a, b := signals.New[event]("a"), signals.New[event]("b")
	n := 0
	h := signals.ConnectAll([]*signals.Signal[event]{a, b, a}, signals.ReceiverFunc[event](func(context.Context, event) error { n++; return nil }))
	_ = a.Send(t.Context(), nil, event{})
	_ = b.Send(t.Context(), nil, event{})
	if n != 2 || len(a.Receivers()) != 1 {
		t.Fatalf("called %d times with %d receivers on a; want 2 and 1", n, len(a.Receivers()))
	}
	if !h.Disconnect() || a.HasListeners(nil) || b.HasListeners(nil) || h.Disconnect() {
		t.Fatal("the ConnectAll handle did not disconnect every signal once")
	}
}

func Example_errorWrapping() {
	s := signals.New[event]("order_paid")
	errNoStock := errors.New("out of stock")
	s.ConnectFunc(func(context.Context, event) error { return errNoStock }, signals.Name("reserve_stock"))
	err := s.Send(context.Background(), nil, event{})
	fmt.Println(errors.Is(err, errNoStock))
	var re *signals.ReceiverError
	if errors.As(err, &re) {
		fmt.Println(re.Signal, re.Receiver.Name)
	}
	// Output:
	// true
	// order_paid reserve_stock
}
