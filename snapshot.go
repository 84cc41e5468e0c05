package signals

import (
	"context"
	"slices"
	"sync/atomic"
)

// entry is one connected receiver. Entries are immutable once published,
// but for their statistics.
type entry[T any] struct {
	fn   func(context.Context, T) error
	info ReceiverInfo
	// hasSender tells a receiver connected for one sender from a catch-all
	// one (info.Sender == nil).
	hasSender bool
	// stats is allocated on the first call made with statistics on.
	stats atomic.Pointer[recvStats]
	// ident is the receiver's identity (identity in receiver.go), nil
	// for a receiver without one.
	ident any
}

// before reports whether a is called before b: higher priority first, then
// registration order.
func (a *entry[T]) before(b *entry[T]) bool {
	if a.info.Priority != b.info.Priority {
		return a.info.Priority > b.info.Priority
	}
	return a.info.ID < b.info.ID
}

// list is a call sequence. fns mirrors entries so that the send loop walks a
// plain slice of funcs, as a hand-written loop would.
type list[T any] struct {
	fns     []func(context.Context, T) error
	entries []*entry[T]
}

func newList[T any](entries []*entry[T]) *list[T] {
	if len(entries) == 0 {
		return nil
	}
	l := &list[T]{fns: make([]func(context.Context, T) error, len(entries)), entries: entries}
	for i, e := range entries {
		l.fns[i] = e.fn
	}
	return l
}

type uidKey struct {
	sender any
	uid    string
}

// snapshot is the immutable set of receivers a send works on.
type snapshot[T any] struct {
	// ordered holds every receiver in call order.
	ordered []*entry[T]
	// generic is the call sequence of a sender with no receivers of its
	// own: the catch-all receivers. nil when there are none.
	generic *list[T]
	// bySender holds, for every sender with receivers of its own, its call
	// sequence: its receivers and the catch-all ones, merged. Senders that
	// are pointers (reflect.Type, *T) are also indexed in byPtr by their
	// interface words, which hash several times faster than an interface.
	bySender map[any]*list[T]
	// byPtr and others split bySender for look-ups: byPtr indexes the
	// senders that are pointers (reflect.Type, *T), others holds the rest
	// (nil if none).
	byPtr    *ptrTable
	ptrLists []*list[T]
	others   map[any]*list[T]
	// own holds the receivers of each sender, in call order.
	own map[any][]*entry[T]
	// uids indexes receivers connected with a UID.
	uids map[uidKey]*entry[T]
	// aliases maps each alias to its sender (see Signal.Alias). A snapshot
	// with aliases stays even without receivers.
	aliases map[any]any
}

// lookup returns the call sequence for sender, or nil if it is empty. It
// is small enough to be inlined into the send paths; the look-up among
// senders is a call only when some sender has receivers of its own.
func (p *snapshot[T]) lookup(sender any) *list[T] {
	if sender != nil && p.bySender != nil {
		return p.lookupSender(sender)
	}
	return p.generic
}

func (p *snapshot[T]) lookupSender(sender any) *list[T] {
	if p.byPtr != nil {
		if i := p.byPtr.get(sender); i != 0 {
			return p.ptrLists[i-1]
		}
	}
	if p.others != nil {
		if l, ok := p.others[sender]; ok {
			return l
		}
	}
	return p.generic
}

// index rebuilds byPtr and others from bySender.
func (p *snapshot[T]) index() {
	var ptrs []any
	p.ptrLists, p.others = nil, nil
	for sender, l := range p.bySender {
		if isPtrSender(sender) {
			ptrs = append(ptrs, sender)
			p.ptrLists = append(p.ptrLists, l)
			continue
		}
		if p.others == nil {
			p.others = make(map[any]*list[T])
		}
		p.others[sender] = l
	}
	p.byPtr = newPtrTable(ptrs)
}

// insertSorted returns a copy of s with e inserted at its call position.
func insertSorted[T any](s []*entry[T], e *entry[T]) []*entry[T] {
	i, _ := slices.BinarySearchFunc(s, e, func(x, y *entry[T]) int {
		if x.before(y) {
			return -1
		}
		return 1
	})
	out := make([]*entry[T], 0, len(s)+1)
	out = append(out, s[:i]...)
	out = append(out, e)
	return append(out, s[i:]...)
}

// without returns a copy of s without e.
func without[T any](s []*entry[T], e *entry[T]) []*entry[T] {
	i := slices.Index(s, e)
	if i < 0 {
		return s
	}
	out := make([]*entry[T], 0, len(s)-1)
	out = append(out, s[:i]...)
	return append(out, s[i+1:]...)
}

// merge returns a and b, both in call order, merged in call order.
func merge[T any](a, b []*entry[T]) []*entry[T] {
	out := make([]*entry[T], 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i].before(b[j]) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// with returns a new snapshot with e added. p may be nil.
func (p *snapshot[T]) with(e *entry[T]) *snapshot[T] {
	if p == nil {
		p = &snapshot[T]{}
	}
	n := &snapshot[T]{ordered: insertSorted(p.ordered, e), own: p.own, uids: p.uids, aliases: p.aliases}
	var generic []*entry[T]
	if p.generic != nil {
		generic = p.generic.entries
	}
	if e.hasSender {
		n.generic = p.generic
		n.own = cloneMap(p.own)
		n.own[e.info.Sender] = insertSorted(p.own[e.info.Sender], e)
		n.bySender = cloneMap(p.bySender)
		n.relistSender(e.info.Sender)
	} else {
		n.generic = newList(insertSorted(generic, e))
		if len(p.bySender) != 0 {
			n.bySender = make(map[any]*list[T], len(p.bySender))
			for sender, l := range p.bySender {
				n.bySender[sender] = newList(insertSorted(l.entries, e))
			}
		}
	}
	if e.info.UID != "" {
		n.uids = cloneMap(p.uids)
		n.uids[uidKey{e.info.Sender, e.info.UID}] = e
	}
	n.index()
	return n
}

// without returns a new snapshot without e, or nil if it would be empty
// (no receivers and no aliases).
func (p *snapshot[T]) without(e *entry[T]) *snapshot[T] {
	if len(p.ordered) == 1 && len(p.aliases) == 0 {
		return nil
	}
	n := &snapshot[T]{ordered: without(p.ordered, e), own: p.own, uids: p.uids, aliases: p.aliases}
	if e.hasSender {
		n.generic = p.generic
		n.own = cloneMap(p.own)
		if own := without(p.own[e.info.Sender], e); len(own) == 0 {
			delete(n.own, e.info.Sender)
		} else {
			n.own[e.info.Sender] = own
		}
		n.bySender = cloneMap(p.bySender)
		n.relistSender(e.info.Sender)
		if len(n.bySender) == 0 {
			n.bySender = nil
		}
	} else {
		n.generic = newList(without(p.generic.entries, e))
		if len(p.bySender) != 0 {
			n.bySender = make(map[any]*list[T], len(p.bySender))
			for sender, l := range p.bySender {
				n.bySender[sender] = newList(without(l.entries, e))
			}
		}
	}
	if e.info.UID != "" {
		n.uids = cloneMap(p.uids)
		delete(n.uids, uidKey{e.info.Sender, e.info.UID})
	}
	n.index()
	return n
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
