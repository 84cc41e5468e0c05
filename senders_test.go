package signals_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gosignals/signals"
)

type relation struct{ model, field string }

// An alias's receivers are called by sends from its sender, in one call
// sequence with the sender's own and the catch-all receivers, ordered by
// priority then registration; a send from the alias still calls them; the
// alias can be moved, removed, and survives DisconnectAll.
func TestAliasMergesCallSequences(t *testing.T) {
	s := signals.New[event]("aliased")
	var tp tape
	fwd, rev := relation{"Post", "Tags"}, relation{"Tag", "Posts"}
	s.ConnectFunc(tp.recv("typed fwd"), signals.Sender(fwd))
	s.ConnectFunc(tp.recv("all"))
	s.ConnectFunc(tp.recv("join"), signals.Sender(sA))
	s.ConnectFunc(tp.recv("typed rev first"), signals.Sender(rev), signals.Priority(5))
	if s.HasListeners(sA) != true || len(s.ReceiversFor(sA)) != 2 {
		t.Fatalf("before Alias: %v", s.ReceiversFor(sA))
	}

	s.Alias(fwd, sA)
	s.Alias(rev, sA)
	send(t, s, sA)
	tp.check(t, "typed rev first", "typed fwd", "all", "join")
	send(t, s, fwd)
	tp.check(t, "typed fwd", "all")
	if got := receiverSenders(s.ReceiversFor(sA)); got != "{Tag Posts},{Post Tags},,signals_test.senderA" {
		t.Fatalf("ReceiversFor(target) = %s", got)
	}

	// A receiver connected after the alias joins its sender's sequence.
	h := s.ConnectFunc(tp.recv("late fwd"), signals.Sender(fwd))
	send(t, s, sA)
	tp.check(t, "typed rev first", "typed fwd", "all", "join", "late fwd")
	h.Disconnect()

	// Moving the alias to another sender.
	s.Alias(rev, sB)
	send(t, s, sA)
	tp.check(t, "typed fwd", "all", "join")
	send(t, s, sB)
	tp.check(t, "typed rev first", "all")

	// Removing it.
	s.Alias(rev, nil)
	send(t, s, sB)
	tp.check(t, "all")

	// DisconnectAll removes receivers, not aliases.
	if n := s.DisconnectAll(); n != 4 {
		t.Fatalf("DisconnectAll = %d", n)
	}
	if s.HasListeners(sA) || len(s.Receivers()) != 0 {
		t.Fatal("receivers left after DisconnectAll")
	}
	s.ConnectFunc(tp.recv("again"), signals.Sender(fwd))
	send(t, s, sA)
	tp.check(t, "again")
}

// A receiver of an alias connected and disconnected with a UID, and an
// alias removed while its receivers stay connected.
func TestAliasUIDAndDisconnect(t *testing.T) {
	s := signals.New[event]("aliased uid")
	var tp tape
	fwd := relation{"Post", "Tags"}
	s.Alias(fwd, sA)
	if s.HasListeners(sA) {
		t.Fatal("an alias alone is a listener")
	}
	h := s.ConnectFunc(tp.recv("one"), signals.Sender(fwd), signals.UID("u"))
	if again := s.ConnectFunc(tp.recv("two"), signals.Sender(fwd), signals.UID("u")); again.Info().ID != h.Info().ID {
		t.Fatal("a UID connected twice under an alias")
	}
	send(t, s, sA)
	tp.check(t, "one")
	if !s.DisconnectUID("u", fwd) {
		t.Fatal("DisconnectUID under the alias")
	}
	if s.HasListeners(sA) {
		t.Fatal("the target still lists a disconnected alias receiver")
	}
	h = s.ConnectFunc(tp.recv("three"), signals.Sender(fwd))
	s.Alias(fwd, nil)
	send(t, s, sA)
	tp.check(t)
	if !h.Disconnect() || s.HasListeners(fwd) {
		t.Fatal("disconnect after the alias was removed")
	}
}

func TestAliasPanicsOnMisuse(t *testing.T) {
	s := signals.New[event]("aliases misused")
	s.Alias("a", sA)
	var nilSig *signals.Signal[event]
	cases := []struct {
		name string
		call func()
		want error
		msg  string
	}{
		{"nil signal", func() { nilSig.Alias("x", sA) }, signals.ErrNilSignal, "signals: Alias: nil *Signal"},
		{"nil alias", func() { s.Alias(nil, sA) }, signals.ErrInvalidOption, "signals: Alias: invalid alias for signal aliases misused: nil alias"},
		{"uncomparable", func() { s.Alias([]int{1}, sA) }, signals.ErrInvalidOption, "signals: Alias: invalid alias for signal aliases misused: []int is not comparable"},
		{"itself", func() { s.Alias("b", "b") }, signals.ErrInvalidOption, "signals: Alias: invalid alias for signal aliases misused: b is its own alias"},
		{"chain to an alias", func() { s.Alias("b", "a") }, signals.ErrInvalidOption, "signals: Alias: invalid alias for signal aliases misused: sender a is an alias itself"},
		{"chain from a sender", func() { s.Alias(sA, sB) }, signals.ErrInvalidOption, "signals: Alias: invalid alias for signal aliases misused: signals_test.senderA is the sender of alias a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := panicErr(t, tc.call)
			if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), tc.msg) {
				t.Fatalf("panic %q, want %v and a message starting with %q", err, tc.want, tc.msg)
			}
		})
	}
}

var errWrongSender = errors.New("wrong sender")

// CheckSenders refuses connections with a sender the check rejects: Connect
// panics with an error wrapping ErrInvalidOption and the check's error,
// and registers nothing; receivers of every sender are not checked.
func TestCheckSendersRefusesConnections(t *testing.T) {
	s := signals.New[event]("checked")
	s.CheckSenders(func(sender any) error {
		if sender == sB {
			return errWrongSender
		}
		return nil
	})
	var tp tape
	s.ConnectFunc(tp.recv("A"), signals.Sender(sA))
	s.ConnectFunc(tp.recv("all"))
	err := panicErr(t, func() { s.ConnectFunc(tp.recv("B"), signals.Sender(sB)) })
	if !errors.Is(err, signals.ErrInvalidOption) || !errors.Is(err, errWrongSender) ||
		err.Error() != "signals: ConnectFunc: invalid sender for signal checked: wrong sender" {
		t.Fatalf("panic %q", err)
	}
	if len(s.Receivers()) != 2 {
		t.Fatalf("receivers %v", s.Receivers())
	}
	s.CheckSenders(nil)
	s.ConnectFunc(tp.recv("B"), signals.Sender(sB))
	send(t, s, sB)
	tp.check(t, "all", "B")
}

func send(t *testing.T, s *signals.Signal[event], sender any) {
	t.Helper()
	if err := s.Send(t.Context(), sender, event{}); err != nil {
		t.Fatal(err)
	}
}

func receiverSenders(infos []signals.ReceiverInfo) string {
	out := make([]string, len(infos))
	for i, ri := range infos {
		out[i] = signals.SenderName(ri.Sender)
	}
	return strings.Join(out, ",")
}

func panicErr(t *testing.T, f func()) (err error) {
	t.Helper()
	defer func() {
		t.Helper()
		var ok bool
		if err, ok = recover().(error); !ok {
			t.Fatal("no panic with an error")
		}
	}()
	f()
	return nil
}

// FuzzAlias drives random connections (to senders and to aliases),
// disconnections, alias changes and sends, and compares every call
// sequence with a plain model: a receiver of an alias is a receiver of the
// alias's sender.
func FuzzAlias(f *testing.F) {
	f.Add([]byte{0, 3, 1, 0, 4, 0, 2, 0, 1, 5, 0, 0, 5, 1, 4, 1})
	f.Add([]byte{4, 0, 1, 0, 0, 1, 2, 3, 2, 0, 5, 0, 4, 2, 6, 1})
	senders := []any{nil, "s0", "s1", relation{"M", "a0"}, relation{"M", "a1"}} // 3, 4: aliases
	f.Fuzz(func(t *testing.T, ops []byte) {
		s := signals.New[*[]int]("fuzz aliases")
		type reg struct{ sender, prio int }
		regs := map[int]reg{}
		handles := map[int]*signals.Handle{}
		alias := map[int]int{} // alias index → sender index
		next := func() int {
			if len(ops) == 0 {
				return 0
			}
			b := int(ops[0])
			ops = ops[1:]
			return b
		}
		for n := 0; len(ops) > 0; n++ {
			switch next() % 4 {
			case 0: // connect
				sender, prio := next()%len(senders), next()%3-1
				id := n
				regs[id] = reg{sender, prio}
				handles[id] = s.ConnectFunc(func(_ context.Context, got *[]int) error {
					*got = append(*got, id)
					return nil
				}, signals.Sender(senders[sender]), signals.Priority(prio))
			case 1: // disconnect
				ids := slices.Sorted(maps.Keys(handles))
				if len(ids) == 0 {
					continue
				}
				id := ids[next()%len(ids)]
				if !handles[id].Disconnect() {
					t.Fatalf("Disconnect(%d) = false", id)
				}
				delete(handles, id)
				delete(regs, id)
			case 2: // alias a0 or a1 to s0, s1 or nothing
				a, target := 3+next()%2, next()%3
				if target == 0 {
					delete(alias, a)
					s.Alias(senders[a], nil)
				} else {
					alias[a] = target
					s.Alias(senders[a], senders[target])
				}
			case 3: // send
				sender := next() % len(senders)
				got := []int{}
				if err := s.Send(context.Background(), senders[sender], &got); err != nil {
					t.Fatal(err)
				}
				var ids []int
				for id, r := range regs {
					if r.sender == 0 || r.sender == sender || (sender != 0 && alias[r.sender] == sender) {
						ids = append(ids, id)
					}
				}
				sort.Slice(ids, func(i, j int) bool {
					if regs[ids[i]].prio != regs[ids[j]].prio {
						return regs[ids[i]].prio > regs[ids[j]].prio
					}
					return ids[i] < ids[j]
				})
				if len(ids) == 0 {
					ids = []int{}
				}
				if !slices.Equal(got, ids) {
					t.Fatalf("send from %v called %v, want %v (aliases %v)", senders[sender], got, ids, alias)
				}
				if s.HasListeners(senders[sender]) != (len(ids) > 0) {
					t.Fatalf("HasListeners(%v) with %d receivers", senders[sender], len(ids))
				}
			}
		}
	})
}
