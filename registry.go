package signals

import (
	"cmp"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"weak"
)

// AnySignal is implemented by every *[Signal]: the methods that do not
// depend on the event type, so that signals of different types can be
// listed and inspected together ([All], [Lookup]).
type AnySignal interface {
	Muter
	Name() string
	EventType() reflect.Type
	Receivers() []ReceiverInfo
	ReceiversFor(sender any) []ReceiverInfo
	HasListeners(sender any) bool
	Stats() []ReceiverStats
	resetStats()
}

// registry lists the signals made by New. It holds them weakly, so that
// signals made in tests or by short-lived code can still be collected.
var registry struct {
	mu   sync.Mutex
	next uint64
	sigs map[uint64]func() AnySignal
}

// register adds s to the registry until it is collected.
func register[T any](s *Signal[T]) {
	wp := weak.Make(s)
	get := func() AnySignal {
		if p := wp.Value(); p != nil {
			return p
		}
		return nil
	}
	registry.mu.Lock()
	registry.next++
	id := registry.next
	if registry.sigs == nil {
		registry.sigs = make(map[uint64]func() AnySignal)
	}
	registry.sigs[id] = get
	registry.mu.Unlock()
	runtime.AddCleanup(s, unregister, id)
}

func unregister(id uint64) {
	registry.mu.Lock()
	delete(registry.sigs, id)
	registry.mu.Unlock()
}

// All returns every live signal made by [New], sorted by name and, for
// equal names, by creation. Signals that are no longer reachable are not
// listed (and are not kept alive by the registry).
func All() []AnySignal {
	type item struct {
		id  uint64
		sig AnySignal
	}
	registry.mu.Lock()
	items := make([]item, 0, len(registry.sigs))
	for id, get := range registry.sigs {
		if s := get(); s != nil {
			items = append(items, item{id, s})
		}
	}
	registry.mu.Unlock()
	slices.SortFunc(items, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.sig.Name(), b.sig.Name()), cmp.Compare(a.id, b.id))
	})
	out := make([]AnySignal, len(items))
	for i, it := range items {
		out[i] = it.sig
	}
	return out
}

// Lookup returns the live signal named name; if several share the name,
// the first one made. Signal names are meant to be unique in a program;
// [All] lists duplicates.
func Lookup(name string) (AnySignal, bool) {
	for _, s := range All() {
		if s.Name() == name {
			return s, true
		}
	}
	return nil, false
}
