package signals

import (
	"context"
	"fmt"
	"reflect"
	"slices"
)

// Connect connects r to the signal and returns a [Handle] that disconnects
// it. With no options r receives every event; [Sender] restricts it to one
// sender, [UID] makes the connection idempotent, [Name] and [Priority] name
// and place it.
//
// A receiver is registered once per sender, as in Django: connecting again
// the same receiver for the same sender, or a (UID, sender) pair that is
// already connected, registers nothing; the first connection keeps its
// place and options, and the returned Handle refers to it. Without a UID,
// "the same receiver" is the same func value (the same function, or the
// same closure value) or the same pointer Receiver; each evaluation of a
// method value (obj.Method) or of a closure capturing variables makes a new
// func value, which is another receiver. See "Receivers" in the package
// documentation.
//
// Connect panics on a nil signal, a nil receiver or an invalid option,
// mistakes in the program rather than conditions to handle, as
// [net/http.Handle] does; nothing is registered. The panic value is an
// error whose message reads "signals: Connect: what is wrong; what to do"
// and which wraps [ErrNilSignal], [ErrNilReceiver] or [ErrInvalidOption].
func (s *Signal[T]) Connect(r Receiver[T], opts ...Option) *Handle {
	return s.connect("Connect", r, opts, 1)
}

// ConnectFunc connects the function fn, like [Signal.Connect].
func (s *Signal[T]) ConnectFunc(fn func(ctx context.Context, ev T) error, opts ...Option) *Handle {
	var r Receiver[T]
	if fn != nil {
		r = ReceiverFunc[T](fn)
	}
	return s.connect("ConnectFunc", r, opts, 1)
}

// connect validates and registers r, panicking as Connect documents; op
// names the user's function in the panic. skip is the number of frames
// between the user's call and connect's caller.
func (s *Signal[T]) connect(op string, r Receiver[T], opts []Option, skip int) *Handle {
	e, err := s.prepare(op, r, opts, skip+1)
	if err != nil {
		panic(err)
	}
	return s.register(e)
}

// prepare validates the arguments of a connection and builds its entry
// without registering it.
func (s *Signal[T]) prepare(op string, r Receiver[T], opts []Option, skip int) (*entry[T], error) {
	if s == nil {
		return nil, &connectError{op: op, err: ErrNilSignal,
			msg: fmt.Sprintf("nil *Signal[%v]; create the signal with signals.New before connecting to it", reflect.TypeFor[T]())}
	}
	if isNil(r) {
		return nil, &connectError{op: op, err: ErrNilReceiver,
			msg: fmt.Sprintf("nil receiver for signal %s; pass a function or a non-nil Receiver", s.Name())}
	}
	c := newConfig(opts)
	if c.invalid != "" {
		return nil, &connectError{op: op, err: ErrInvalidOption,
			msg: fmt.Sprintf("invalid option for signal %s: %s", s.Name(), c.invalid)}
	}
	if err := s.c.checkSender(c.sender); err != nil {
		return nil, &connectError{op: op, err: ErrInvalidOption, cause: err,
			msg: fmt.Sprintf("invalid sender for signal %s: %v", s.Name(), err)}
	}
	e := &entry[T]{hasSender: c.sender != nil, ident: identity(r)}
	if f, ok := r.(ReceiverFunc[T]); ok {
		e.fn = f
		if c.fn == "" {
			c.fn = funcName(f)
		}
	} else {
		e.fn = r.Receive
		if c.fn == "" {
			c.fn = funcName(r)
		}
	}
	e.info = ReceiverInfo{
		Signal:   s.Name(),
		Name:     c.name,
		Func:     c.fn,
		Sender:   c.sender,
		UID:      c.uid,
		Priority: c.priority,
		Mode:     c.mode,
	}
	if e.info.Name == "" {
		e.info.Name = c.fn
	}
	e.info.File, e.info.Line = callerLocation(skip + 1 + c.callerSkip)
	return e, nil
}

// register publishes e, or returns the handle of the receiver already
// registered under e's key: its UID and sender, or without a UID its
// identity and sender, Django's lookup_key.
func (s *Signal[T]) register(e *entry[T]) *Handle {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.snap.Load()
	if old := p.registered(e); old != nil {
		return &Handle{regs: []registration{{s, old.info.ID}}, info: old.info, existing: true}
	}
	s.next++
	e.info.ID = s.next
	s.snap.Store(p.with(e))
	return &Handle{regs: []registration{{s, e.info.ID}}, info: e.info}
}

// registered returns the receiver connected under the key of e, or nil.
// Receivers without a UID are searched in order: Connect copies the
// snapshot anyway, and sends do not pay for an index.
func (p *snapshot[T]) registered(e *entry[T]) *entry[T] {
	switch {
	case p == nil:
		return nil
	case e.info.UID != "":
		return p.uids[uidKey{e.info.Sender, e.info.UID}]
	case e.ident == nil:
		return nil
	}
	for _, x := range p.ordered {
		if x.ident == e.ident && x.info.UID == "" && x.info.Sender == e.info.Sender {
			return x
		}
	}
	return nil
}

// disconnect removes the receiver with the given ID.
func (s *Signal[T]) disconnect(id uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.snap.Load()
	if p == nil {
		return false
	}
	i := slices.IndexFunc(p.ordered, func(e *entry[T]) bool { return e.info.ID == id })
	if i < 0 {
		return false
	}
	s.snap.Store(p.without(p.ordered[i]))
	return true
}

// DisconnectUID disconnects the receiver connected with [UID](uid) for
// sender (nil for a receiver connected for every sender) and reports whether
// there was one. As in Django, the sender must be the one given when
// connecting.
func (s *Signal[T]) DisconnectUID(uid string, sender any) bool {
	if s == nil || uid == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.snap.Load()
	if p == nil {
		return false
	}
	e, ok := p.uids[uidKey{sender, uid}]
	if !ok {
		return false
	}
	s.snap.Store(p.without(e))
	return true
}

// DisconnectAll disconnects every receiver and returns how many there were.
func (s *Signal[T]) DisconnectAll() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.snap.Load()
	if p == nil {
		return 0
	}
	s.snap.Store(p.cleared()) // aliases stay
	return len(p.ordered)
}

// disconnecter is implemented by every *Signal[T].
type disconnecter interface {
	disconnect(id uint64) bool
}

type registration struct {
	sig disconnecter
	id  uint64
}

// Handle disconnects what a Connect call connected. Handles are comparable
// only by pointer; keep the one you need. A nil *Handle disconnects nothing.
type Handle struct {
	regs []registration
	info ReceiverInfo
	// existing is set when Connect found its UID already connected.
	existing bool
}

// Disconnect disconnects the receiver and reports whether it was still
// connected. For a handle of [ConnectAll] it reports whether any of its
// connections was. Disconnect is safe to call twice and from receivers.
func (h *Handle) Disconnect() bool {
	if h == nil {
		return false
	}
	any := false
	for _, r := range h.regs {
		if r.sig.disconnect(r.id) {
			any = true
		}
	}
	return any
}

// Info describes the receiver the handle refers to (for [ConnectAll], its
// first connection).
func (h *Handle) Info() ReceiverInfo {
	if h == nil {
		return ReceiverInfo{}
	}
	return h.info
}

// ConnectAll connects r to each of sigs with the same options, like
// Django's @receiver([a, b]), and returns one Handle that disconnects them
// all. A signal listed twice is connected once. It panics like
// [Signal.Connect], and when sigs is empty; no signal is connected unless
// all can be.
func ConnectAll[T any](sigs []*Signal[T], r Receiver[T], opts ...Option) *Handle {
	if len(sigs) == 0 {
		panic(&connectError{op: "ConnectAll", err: ErrNilSignal, msg: "no signals; pass at least one signal"})
	}
	type pending struct {
		s *Signal[T]
		e *entry[T]
	}
	var todo []pending
	for _, s := range sigs {
		if slices.ContainsFunc(todo, func(p pending) bool { return p.s == s }) {
			continue
		}
		e, err := s.prepare("ConnectAll", r, opts, 1)
		if err != nil {
			panic(err)
		}
		todo = append(todo, pending{s, e})
	}
	h := &Handle{}
	for i, p := range todo {
		one := p.s.register(p.e)
		h.regs = append(h.regs, one.regs...)
		if i == 0 {
			h.info = one.info
		}
	}
	return h
}
