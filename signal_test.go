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

// A signal with no receivers calls nothing and returns no results, as in
// Django's tests/dispatch/tests.py, DispatcherTests.test_send_no_receivers.
func TestSendWithoutReceivers(t *testing.T) {
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

// Any Receiver implementation can be connected, not only functions (Django
// connects any callable: tests/signals/tests.py, SignalTests.test_delete_signals).
func TestConnectReceiverValue(t *testing.T) {
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

// A UID is connected once per sender; the first registration wins and
// keeps its position, even with another function (Django's
// tests/dispatch/tests.py, DispatcherTests.test_uid_registration).
func TestUIDConnectsOncePerSender(t *testing.T) {
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

	// The same UID for another sender is another receiver.
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

// One function connected for every sender and for S is called twice for
// S; connected with and without a UID it is two receivers.
func TestSameFunctionConnectedTwice(t *testing.T) {
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

// Bad input at registration is a mistake in the program: Connect and its
// siblings panic with an error that names the function, says what is wrong
// and what to do, and wraps a sentinel; nothing is registered. (Django
// raises at connect time too: tests/dispatch/tests.py,
// DispatcherTests.test_cannot_connect_non_callable. Unlike Django, an
// empty UID is refused rather than taken as no UID.)
func TestConnectPanicsOnBadInput(t *testing.T) {
	s := signals.New[event]("sig")
	var nilSig *signals.Signal[event]
	var nilFunc signals.ReceiverFunc[event]
	var nilCounter *counter
	ok := func(context.Context, event) error { return nil }
	okr := signals.ReceiverFunc[event](ok)
	cases := []struct {
		name    string
		connect func()
		want    error
		msg     string
	}{
		{"nil signal", func() { nilSig.Connect(okr) }, signals.ErrNilSignal,
			"signals: Connect: nil *Signal[signals_test.event]; create the signal with signals.New before connecting to it"},
		{"nil receiver", func() { s.Connect(nil) }, signals.ErrNilReceiver,
			"signals: Connect: nil receiver for signal sig; pass a function or a non-nil Receiver"},
		{"nil func", func() { s.ConnectFunc(nil) }, signals.ErrNilReceiver,
			"signals: ConnectFunc: nil receiver for signal sig; pass a function or a non-nil Receiver"},
		{"nil typed func", func() { s.Connect(nilFunc) }, signals.ErrNilReceiver, "signals: Connect: nil receiver"},
		{"nil pointer receiver", func() { s.Connect(nilCounter) }, signals.ErrNilReceiver, "signals: Connect: nil receiver"},
		{"empty UID", func() { s.ConnectFunc(ok, signals.UID("")) }, signals.ErrInvalidOption,
			"signals: ConnectFunc: invalid option for signal sig: empty UID; pass a non-empty dispatch UID, or no UID option"},
		{"empty name", func() { s.ConnectFunc(ok, signals.Name("")) }, signals.ErrInvalidOption,
			"signals: ConnectFunc: invalid option for signal sig: empty Name; "},
		{"uncomparable sender", func() { s.ConnectFunc(ok, signals.Sender([]int{1})) }, signals.ErrInvalidOption,
			"signals: ConnectFunc: invalid option for signal sig: Sender of type []int is not comparable; pass a comparable sender"},
		{"nil option", func() { s.ConnectFunc(ok, nil) }, signals.ErrInvalidOption,
			"signals: ConnectFunc: invalid option for signal sig: nil Option; remove it or pass a valid one"},
		{"negative skip", func() { s.ConnectFunc(ok, signals.CallerSkip(-1)) }, signals.ErrInvalidOption,
			"signals: ConnectFunc: invalid option for signal sig: negative CallerSkip -1; "},
		{"nil Func", func() { s.ConnectFunc(ok, signals.Func(nil)) }, signals.ErrInvalidOption,
			"signals: ConnectFunc: invalid option for signal sig: nil Func; "},
		{"empty Mode", func() { s.ConnectFunc(ok, signals.Mode("")) }, signals.ErrInvalidOption,
			"signals: ConnectFunc: invalid option for signal sig: empty Mode; "},
		{"ConnectAll of nothing", func() { signals.ConnectAll(nil, okr) }, signals.ErrNilSignal,
			"signals: ConnectAll: no signals; pass at least one signal"},
		{"ConnectAll with a nil signal", func() { signals.ConnectAll([]*signals.Signal[event]{s, nil}, okr) }, signals.ErrNilSignal,
			"signals: ConnectAll: nil *Signal[signals_test.event]; "},
		{"nil owner", func() {
			signals.ConnectOwned(s, (*counter)(nil), func(context.Context, *counter, event) error { return nil })
		}, signals.ErrInvalidOption,
			"signals: ConnectOwned: nil owner for signal sig; pass the object whose lifetime bounds the receiver"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := mustPanic(t, tc.connect)
			if !errors.Is(err, tc.want) {
				t.Errorf("panic %v does not wrap %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.msg) {
				t.Errorf("panic message\n\t%s\nwant it to start with\n\t%s", err, tc.msg)
			}
			if n := len(s.Receivers()); n != 0 {
				t.Fatalf("%d receivers registered after a refused connect", n)
			}
		})
	}
	if err := nilSig.Send(t.Context(), nil, event{}); !errors.Is(err, signals.ErrNilSignal) {
		t.Fatalf("Send on nil signal = %v", err)
	}
}

// mustPanic calls f and returns the error it panicked with, failing the
// test if it did not panic with an error.
func mustPanic(t *testing.T, f func()) (err error) {
	t.Helper()
	defer func() {
		t.Helper()
		v := recover()
		var ok bool
		if err, ok = v.(error); !ok {
			t.Fatalf("panic %v, want an error", v)
		}
	}()
	f()
	return nil
}

// Receivers connected for a sender receive only its events; HasListeners
// tells whether a send would call anyone (Django's tests/dispatch/tests.py,
// DispatcherTests.test_send and test_has_listeners).
func TestSenderFilterAndHasListeners(t *testing.T) {
	var tp tape
	s := signals.New[event]("sig")
	if s.HasListeners(nil) || s.HasListeners(sA) {
		t.Fatal("HasListeners on an empty signal")
	}
	s.ConnectFunc(tp.recv("a"), signals.Sender(sA))
	if s.HasListeners(nil) || !s.HasListeners(sA) || s.HasListeners(sB) {
		t.Fatal("a receiver for S only makes HasListeners(nil) false and HasListeners(S) true")
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

// Disconnect reports whether something was removed; a UID receiver is
// removed by UID with the sender it was connected with (Django's
// tests/dispatch/tests.py, DispatcherTests.test_values_returned_by_disconnection).
func TestDisconnectReportsRemoval(t *testing.T) {
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

// Each send works on a snapshot; receivers may connect, disconnect and
// send re-entrantly (Django's tests/signals/tests.py,
// SignalTests.test_disconnect_in_dispatch).
func TestSendWorksOnSnapshot(t *testing.T) {
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

// Sender and catch-all receivers are interleaved in registration order,
// with one result per receiver in call order; Priority reorders on top of
// it.
func TestCallOrder(t *testing.T) {
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
		t.Fatalf("%d results for %d receivers, want 8", len(res), len(want))
	}
	for i := range res {
		if res[i].Receiver.ID != want[i].ID || !res[i].Called {
			t.Fatalf("result %d is receiver %d, want %d", i, res[i].Receiver.ID, want[i].ID)
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

// Send stops at the first error and returns it wrapped with the signal and
// receiver; errors.Is/As see through.
func TestSendStopsAtFirstError(t *testing.T) {
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
	s2 := signals.New[event]("sig2") // on s, namedReceiver is already connected
	if h2 := signals.ConnectAll([]*signals.Signal[event]{s2}, signals.ReceiverFunc[event](namedReceiver)); h2.Info().Line != info.Line+13 {
		t.Fatalf("ConnectAll location line %d, want %d", h2.Info().Line, info.Line+13)
	}
}

func namedReceiver(context.Context, event) error { return nil }

// wrapConnect stands for an adapter package connecting on a user's behalf.
func wrapConnect(s *signals.Signal[event], fn func(context.Context, event) error) *signals.Handle {
	return s.ConnectFunc(func(ctx context.Context, ev event) error { return fn(ctx, ev) },
		signals.CallerSkip(1), signals.Func(fn), signals.Mode("test-mode"))
}

// One receiver for several signals; a repeated signal once; one handle
// disconnects all (Django's @receiver with a list: tests/dispatch/tests.py,
// ReceiverTestCase.test_receiver_signal_list).
func TestConnectAll(t *testing.T) {
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
