package signals

import (
	"context"
	"fmt"
	"runtime"
	"weak"
)

// ConnectOwned connects fn for the lifetime of owner: fn receives the owner
// with each event, and once owner has been garbage collected the receiver
// stops being called and is disconnected. It is the explicit form of
// Django's weak=True, for receivers that belong to an object with a lifetime
// of its own (a cache, a websocket session); ordinary receivers are strong,
// stay connected until disconnected, and never vanish because a closure was
// collected (the surprise of Django's weak receivers).
//
// The signal holds owner only weakly: fn must reach the owner through its
// argument, not through a captured variable, or owner can never be collected.
// Disconnection happens in a runtime cleanup after collection; until then
// the receiver is still called (and counted and traced) but does nothing
// and returns nil.
//
// ConnectOwned panics like [Signal.Connect] on a nil signal, nil owner, nil fn
// or invalid option.
func ConnectOwned[O, T any](s *Signal[T], owner *O, fn func(ctx context.Context, owner *O, ev T) error, opts ...Option) *Handle {
	if owner == nil {
		panic(&connectError{op: "ConnectOwned", err: ErrInvalidOption,
			msg: fmt.Sprintf("nil owner for signal %s; pass the object whose lifetime bounds the receiver", s.Name())})
	}
	var r Receiver[T]
	if fn != nil {
		wp := weak.Make(owner)
		r = ReceiverFunc[T](func(ctx context.Context, ev T) error {
			o := wp.Value()
			if o == nil {
				return nil
			}
			return fn(ctx, o, ev)
		})
		opts = append([]Option{Func(fn)}, opts...)
	}
	h := s.connect("ConnectOwned", r, opts, 1)
	if !h.existing {
		runtime.AddCleanup(owner, func(h *Handle) { h.Disconnect() }, h)
	}
	return h
}
