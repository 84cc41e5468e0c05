package signals

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
)

// Signal dispatches events of type T to the receivers connected to it.
//
// A Signal is safe for concurrent use. Sends never take a lock: they read an
// immutable snapshot of the receivers, published atomically by Connect and
// Disconnect, which copy it on write under a mutex. The zero value is an
// unnamed signal ready to use; [New] gives it a name. A Signal must not be
// copied after first use.
type Signal[T any] struct {
	c    core
	mu   sync.Mutex // serialises writers
	snap atomic.Pointer[snapshot[T]]
	next uint64 // last receiver ID, guarded by mu
}

// core is the part of a signal that does not depend on T. Its address
// identifies the signal for muting.
type core struct {
	name   string
	flags  atomic.Uint32 // per-signal bits of flags.go
	logger atomic.Pointer[slog.Logger]
	check  atomic.Pointer[func(sender any) error] // see CheckSenders
}

func (c *core) displayName() string {
	if c.name == "" {
		return "unnamed"
	}
	return c.name
}

// New returns a signal named name. The name appears in errors, logs and
// introspection; by convention it is the Django-style snake_case name
// ("post_save") or a dotted "package.name". The signal is listed by [All]
// for as long as it is reachable; a signal declared as a zero value is not.
func New[T any](name string) *Signal[T] {
	s := &Signal[T]{}
	s.c.name = name
	register(s)
	return s
}

// Name returns the signal's name.
func (s *Signal[T]) Name() string {
	if s == nil {
		return ""
	}
	return s.c.displayName()
}

// EventType returns T, the type of the signal's events.
func (s *Signal[T]) EventType() reflect.Type { return reflect.TypeFor[T]() }

// SetLogger sets the logger that receives the failures of [Signal.SendRobust]
// and [Signal.SendAsync]. A nil logger restores the default, [slog.Default].
func (s *Signal[T]) SetLogger(l *slog.Logger) {
	if s != nil {
		s.c.logger.Store(l)
	}
}

func (s *Signal[T]) logger() *slog.Logger {
	if l := s.c.logger.Load(); l != nil {
		return l
	}
	return slog.Default()
}

func (s *Signal[T]) muteCore() *core { return &s.c }

// Send calls the receivers of sender, one at a time in order, in the calling
// goroutine, and stops at the first error, which it returns as a
// *[ReceiverError] naming the receiver. Receivers connected for every sender
// and those connected for this sender are called in one sequence: by
// [Priority], then in registration order. Receivers connected or
// disconnected while the send runs do not change it (each send works on the
// receivers present when it started). If ctx is muted for this signal (see
// [Mute]) nothing is called.
//
// A panicking receiver is not recovered: the panic propagates to the caller
// as if the receiver had been called directly, and the signal stays
// consistent (no lock is held while receivers run). Use [Signal.SendRobust]
// to isolate receivers from each other.
//
// Send does not allocate unless a receiver fails, and costs two atomic
// loads more than calling the receivers in a loop, until statistics,
// tracing, an [Observer] or muting of this signal is switched on.
//
// The sender must be comparable, as for [Sender]: a slice, map or func
// sender panics once some receiver is connected for a sender that is not a
// pointer (Go's map look-up of an uncomparable key), as Django's send raises
// TypeError for an unhashable sender.
func (s *Signal[T]) Send(ctx context.Context, sender any, ev T) error {
	if s == nil {
		return ErrNilSignal
	}
	p := s.snap.Load()
	if p == nil {
		return nil
	}
	l := p.lookup(sender)
	if l == nil {
		return nil
	}
	// core.slow, written out: Send is the hottest path. Muting,
	// statistics, traces and observers all live on the slow path.
	if s.c.flags.Load()|globalFlags.Load() != 0 {
		if done, err := s.sendSlow(ctx, sender, l, ev, KindSend, nil); done {
			return err
		}
	}
	for i, fn := range l.fns {
		if err := fn(ctx, ev); err != nil {
			return &ReceiverError{Signal: s.Name(), Receiver: l.entries[i].info, Err: err}
		}
	}
	return nil
}

// HasListeners reports whether a send from sender would call any receiver:
// receivers connected for every sender count for every sender, and
// HasListeners(nil) reports only those. It is a single atomic load and a map
// look-up, meant for emitters that skip building an event nobody receives.
func (s *Signal[T]) HasListeners(sender any) bool {
	if s == nil {
		return false
	}
	p := s.snap.Load()
	return p != nil && p.lookup(sender) != nil
}

// Active reports whether a send from sender with ctx would call any receiver:
// [Signal.HasListeners] and not muted in ctx.
func (s *Signal[T]) Active(ctx context.Context, sender any) bool {
	return s.HasListeners(sender) && !s.c.muted(ctx)
}

// Receivers returns every connected receiver in the order a send from their
// sender would call them (receivers of different senders are interleaved by
// the same rule).
func (s *Signal[T]) Receivers() []ReceiverInfo {
	if s == nil {
		return nil
	}
	p := s.snap.Load()
	if p == nil {
		return nil
	}
	out := make([]ReceiverInfo, len(p.ordered))
	for i, e := range p.ordered {
		out[i] = e.info
	}
	return out
}

// ReceiversFor returns the receivers a send from sender would call, in call
// order.
func (s *Signal[T]) ReceiversFor(sender any) []ReceiverInfo {
	if s == nil {
		return nil
	}
	p := s.snap.Load()
	if p == nil {
		return nil
	}
	l := p.lookup(sender)
	if l == nil {
		return nil
	}
	out := make([]ReceiverInfo, len(l.entries))
	for i, e := range l.entries {
		out[i] = e.info
	}
	return out
}
