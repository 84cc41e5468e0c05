package signals_test

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/gosignals/signals"
)

// model is the reference the fuzzer compares the dispatcher with: a plain
// list of registrations, filtered and sorted on every send.
type model struct {
	regs []modelReg
}

type modelReg struct {
	id     int
	sender int // -1: every sender
	uid    string
	prio   int
	alive  bool
}

func (m *model) connect(sender int, uid string, prio int) int {
	if uid != "" {
		for _, r := range m.regs {
			if r.alive && r.uid == uid && r.sender == sender {
				return r.id
			}
		}
	}
	id := len(m.regs)
	m.regs = append(m.regs, modelReg{id: id, sender: sender, uid: uid, prio: prio, alive: true})
	return id
}

func (m *model) disconnect(id int) bool {
	if !m.regs[id].alive {
		return false
	}
	m.regs[id].alive = false
	return true
}

func (m *model) disconnectUID(uid string, sender int) bool {
	for i, r := range m.regs {
		if r.alive && r.uid == uid && r.sender == sender {
			m.regs[i].alive = false
			return true
		}
	}
	return false
}

func (m *model) send(sender int) []int {
	var rs []modelReg
	for _, r := range m.regs {
		if r.alive && (r.sender == -1 || r.sender == sender) {
			rs = append(rs, r)
		}
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].prio > rs[j].prio })
	out := []int{}
	for _, r := range rs {
		out = append(out, r.id)
	}
	return out
}

var fuzzSenders = []any{"s0", "s1", 2}

func senderOf(i int) any {
	if i < 0 {
		return nil
	}
	return fuzzSenders[i]
}

// FuzzDispatcher drives random connect/disconnect/send sequences against the
// dispatcher and the reference model and requires identical call sequences,
// handle results and HasListeners answers.
func FuzzDispatcher(f *testing.F) {
	f.Add([]byte{0, 1, 0, 4, 0, 1, 2, 4, 1, 2, 0, 4, 0})
	f.Add([]byte{3, 0, 1, 0, 3, 0, 1, 1, 5, 7, 4, 1, 3, 0, 1, 4, 1})
	f.Add([]byte{5, 200, 0, 5, 3, 1, 1, 0, 4, 2, 2, 1, 4, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		s := signals.New[*[]int]("fuzz")
		var m model
		var handles []*signals.Handle // index = model id of the handle's registration
		next := func() int {
			if len(ops) == 0 {
				return 0
			}
			b := int(ops[0])
			ops = ops[1:]
			return b
		}
		for len(ops) > 0 {
			switch next() % 6 {
			case 0, 1, 5: // connect: sender, uid, priority
				sender := next()%4 - 1
				uid := ""
				if u := next() % 4; u > 0 {
					uid = string(rune('a' + u))
				}
				prio := 0
				if ops := next(); ops%3 == 0 {
					prio = ops%5 - 2
				}
				id := m.connect(sender, uid, prio)
				opts := []signals.Option{signals.Sender(senderOf(sender)), signals.Priority(prio)}
				if uid != "" {
					opts = append(opts, signals.UID(uid))
				}
				h := s.ConnectFunc(func(_ context.Context, got *[]int) error {
					*got = append(*got, id)
					return nil
				}, opts...)
				if id == len(handles) {
					handles = append(handles, h)
				} else if h.Info().ID != handles[id].Info().ID {
					t.Fatalf("duplicate UID %q gave receiver %d, want the first one %d", uid, h.Info().ID, handles[id].Info().ID)
				}
			case 2: // disconnect by handle
				if len(handles) == 0 {
					continue
				}
				id := next() % len(handles)
				if got, want := handles[id].Disconnect(), m.disconnect(id); got != want {
					t.Fatalf("Disconnect(%d) = %v, want %v", id, got, want)
				}
			case 3: // disconnect by UID
				uid := string(rune('a' + next()%4))
				sender := next()%4 - 1
				if got, want := s.DisconnectUID(uid, senderOf(sender)), m.disconnectUID(uid, sender); got != want {
					t.Fatalf("DisconnectUID(%q, %d) = %v, want %v", uid, sender, got, want)
				}
			case 4: // send
				sender := next()%4 - 1
				got := []int{}
				if err := s.Send(context.Background(), senderOf(sender), &got); err != nil {
					t.Fatal(err)
				}
				want := m.send(sender)
				if !slices.Equal(got, want) {
					t.Fatalf("send from %d called %v, want %v", sender, got, want)
				}
				if s.HasListeners(senderOf(sender)) != (len(want) > 0) {
					t.Fatalf("HasListeners(%d) = %v with %d receivers", sender, !(len(want) > 0), len(want))
				}
			}
		}
	})
}
