// Package durabletest holds what the tests of durable receivers share,
// in package signalsgorm and in package outboxgorm.
package durabletest

import (
	"context"
	"sync"
	"testing"

	"github.com/gosignals/signals/outbox"
)

// Sink collects the events a durable receiver got; its Receive is the
// receiver.
type Sink[M any] struct {
	mu  sync.Mutex
	evs []outbox.Event[M]
}

// Receive records ev.
func (s *Sink[M]) Receive(_ context.Context, ev outbox.Event[M]) error {
	s.mu.Lock()
	s.evs = append(s.evs, ev)
	s.mu.Unlock()
	return nil
}

// All returns the events received so far.
func (s *Sink[M]) All() []outbox.Event[M] {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]outbox.Event[M](nil), s.evs...)
}

// Disconnect disconnects h when the test ends.
func Disconnect(t testing.TB, h interface{ Disconnect() bool }) {
	t.Cleanup(func() { h.Disconnect() })
}
