package signals_test

import (
	"context"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals"
)

func names(sigs []signals.AnySignal) []string {
	out := make([]string, len(sigs))
	for i, s := range sigs {
		out[i] = s.Name()
	}
	return out
}

func TestRegistryListsSignals(t *testing.T) {
	b := signals.New[event]("registry.b")
	a := signals.New[string]("registry.a")
	a2 := signals.New[int]("registry.a")
	all := signals.All()
	var got []signals.AnySignal
	for _, s := range all {
		if s == signals.AnySignal(a) || s == signals.AnySignal(a2) || s == signals.AnySignal(b) {
			got = append(got, s)
		}
	}
	// Sorted by name, then by creation.
	want := []signals.AnySignal{a, a2, b}
	if !slices.Equal(got, want) {
		t.Fatalf("All() order: got %v, want [registry.a registry.a registry.b]", names(got))
	}
	if !slices.IsSortedFunc(names(all), strings.Compare) {
		t.Fatalf("All() is not sorted by name: %v", names(all))
	}

	s, ok := signals.Lookup("registry.a")
	if !ok || s != signals.AnySignal(a) {
		t.Fatalf("Lookup(registry.a) = %v, %v; want the first one made", s, ok)
	}
	if _, ok := signals.Lookup("registry.none"); ok {
		t.Fatal("Lookup of an unknown name succeeded")
	}
	if a2.EventType() != reflect.TypeFor[int]() || b.EventType() != reflect.TypeFor[event]() {
		t.Fatalf("EventType: %v, %v", a2.EventType(), b.EventType())
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(a2)
	runtime.KeepAlive(b)
}

func TestRegistryReceiversInCallOrder(t *testing.T) {
	s := signals.New[event]("registry.order")
	s.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("second"))
	s.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("first"), signals.Priority(1))
	s.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("third"), signals.UID("u3"),
		signals.Sender("x"), signals.Mode("after_commit"))
	got, ok := signals.Lookup("registry.order")
	if !ok {
		t.Fatal("signal not registered")
	}
	var order []string
	for _, r := range got.Receivers() {
		order = append(order, r.Name)
	}
	if !slices.Equal(order, []string{"first", "second", "third"}) {
		t.Fatalf("receivers %v, want [first second third]", order)
	}
	third := got.Receivers()[2]
	if third.UID != "u3" || third.Sender != "x" || third.Mode != "after_commit" || third.Line == 0 ||
		filepath.Base(third.File) != "registry_test.go" {
		t.Fatalf("third receiver's info: %+v", third)
	}
}

// Signals made in tests must not stay in the registry forever: it holds
// them weakly.
func TestRegistryDropsCollectedSignals(t *testing.T) {
	const name = "registry.collected"
	func() {
		s := signals.New[event](name)
		s.ConnectFunc(func(context.Context, event) error { return nil })
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		if _, ok := signals.Lookup(name); !ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a signal nobody references is still listed after 5s of collections")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The zero value of Signal works but is not registered: only New names a
// signal.
func TestRegistryZeroValueNotListed(t *testing.T) {
	var s signals.Signal[event]
	s.ConnectFunc(func(context.Context, event) error { return nil })
	for _, x := range signals.All() {
		if x == signals.AnySignal(&s) {
			t.Fatal("a zero-value signal is listed")
		}
	}
}
