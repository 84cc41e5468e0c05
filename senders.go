package signals

import (
	"fmt"
	"reflect"
)

// CheckSenders makes [Signal.Connect] and its siblings validate the
// senders of this signal's connections: check is called with the value of
// each [Sender] option (not for receivers of every sender), and an error
// refuses the connection: Connect panics with an error that wraps
// [ErrInvalidOption] and check's error, and nothing is registered. The
// package that defines a signal uses it to refuse senders the signal is
// never sent with (modelsignals refuses a model type as the sender of
// m2m_changed, which is sent with a join model), so that a mistake is not
// a receiver that is silently never called.
//
// A later call replaces check; CheckSenders(nil) removes it. Receivers
// already connected are not checked. check runs on Connect, never on a
// send.
func (s *Signal[T]) CheckSenders(check func(sender any) error) {
	if s == nil {
		return
	}
	if check == nil {
		s.c.check.Store(nil)
		return
	}
	s.c.check.Store(&check)
}

// checkSender applies the check of CheckSenders to sender.
func (c *core) checkSender(sender any) error {
	if check := c.check.Load(); check != nil && sender != nil {
		return (*check)(sender)
	}
	return nil
}

// Alias makes the receivers connected with [Sender](alias) receivers of
// sender too: a send from sender calls them, ordered with sender's own
// receivers and the receivers of every sender by [Priority] and
// registration, as if they had been connected with Sender(sender). A send
// from alias still calls them.
//
// It is for packages that let a program name a sender before that sender
// exists: modelsignals connects a typed many-to-many receiver with the
// relation's field as sender, and the ORM adapter, which sends m2m_changed
// with the relation's join model, aliases the field to that model once it
// knows it.
//
// An alias has one sender at a time: calling Alias again replaces it, and
// Alias(alias, nil) removes it. Aliases do not chain. Sends are not
// slowed: the call sequences are merged when receivers or aliases change.
// Alias panics, as Connect does, on a nil signal, on a nil or
// uncomparable alias or sender, on a sender that is itself an alias and on
// an alias that is the sender of another alias (the error wraps
// [ErrNilSignal] or [ErrInvalidOption]).
func (s *Signal[T]) Alias(alias, sender any) {
	if s == nil {
		panic(&connectError{op: "Alias", err: ErrNilSignal,
			msg: fmt.Sprintf("nil *Signal[%v]; create the signal with signals.New first", reflect.TypeFor[T]())})
	}
	for _, v := range []any{alias, sender} {
		if v != nil && !reflect.ValueOf(v).Comparable() {
			panic(s.aliasError(fmt.Sprintf("%T is not comparable", v), "pass comparable senders, such as a reflect.Type, a pointer or a string"))
		}
	}
	switch {
	case alias == nil:
		panic(s.aliasError("nil alias", "pass the sender receivers were connected with"))
	case alias == sender:
		panic(s.aliasError(fmt.Sprintf("%v is its own alias", SenderName(alias)), "pass another sender, or nil to remove the alias"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.snap.Load()
	if p == nil {
		p = &snapshot[T]{}
	}
	if _, ok := p.aliases[sender]; ok && sender != nil {
		panic(s.aliasError(fmt.Sprintf("sender %v is an alias itself", SenderName(sender)), "alias to the sender the signal is sent with"))
	}
	for a, target := range p.aliases {
		if target == alias && a != alias {
			panic(s.aliasError(fmt.Sprintf("%v is the sender of alias %v", SenderName(alias), SenderName(a)), "aliases do not chain: alias to the sender the signal is sent with"))
		}
	}
	s.snap.Store(p.withAlias(alias, sender))
}

func (s *Signal[T]) aliasError(what, todo string) error {
	return &connectError{op: "Alias", err: ErrInvalidOption,
		msg: fmt.Sprintf("invalid alias for signal %s: %s; %s", s.Name(), what, todo)}
}

// withAlias returns a new snapshot in which alias refers to sender (no
// longer refers to anything if sender is nil), or nil if it would be
// empty.
func (p *snapshot[T]) withAlias(alias, sender any) *snapshot[T] {
	n := *p
	n.aliases = cloneMap(p.aliases)
	old, had := p.aliases[alias]
	if sender == nil {
		delete(n.aliases, alias)
	} else {
		n.aliases[alias] = sender
	}
	if len(n.aliases) == 0 {
		n.aliases = nil
		if len(n.ordered) == 0 {
			return nil
		}
	}
	n.bySender = cloneMap(p.bySender)
	if had {
		n.relist(old)
	}
	if sender != nil {
		n.relist(sender)
	}
	if len(n.bySender) == 0 {
		n.bySender = nil
	}
	n.index()
	return &n
}

// relistSender rebuilds the call sequences that the receivers of sender
// are part of: sender's own, and that of the sender it is an alias of.
func (n *snapshot[T]) relistSender(sender any) {
	n.relist(sender)
	if target, ok := n.aliases[sender]; ok {
		n.relist(target)
	}
}

// relist rebuilds the call sequence of sender in n.bySender (a copy n
// owns): its own receivers, those of its aliases and the catch-all ones.
func (n *snapshot[T]) relist(sender any) {
	own := n.own[sender]
	for alias, target := range n.aliases {
		if target == sender {
			own = merge(own, n.own[alias])
		}
	}
	if len(own) == 0 {
		delete(n.bySender, sender)
		return
	}
	var generic []*entry[T]
	if n.generic != nil {
		generic = n.generic.entries
	}
	n.bySender[sender] = newList(merge(generic, own))
}

// cleared returns p without receivers: nil, or a snapshot that keeps p's
// aliases.
func (p *snapshot[T]) cleared() *snapshot[T] {
	if p == nil || len(p.aliases) == 0 {
		return nil
	}
	return &snapshot[T]{aliases: p.aliases}
}
