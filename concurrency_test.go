package signals_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosignals/signals"
)

// A send's record of the receivers it called.
type sendRec struct {
	start, end int64
	sender     any
	called     []rkey
}

type rkey struct{ writer, k int }

// The life of one receiver on the logical clock.
type life struct {
	c0, c1, d0, d1 int64 // connect start/end, disconnect start/end (MaxInt64: never)
	forSender      bool
}

// TestConcurrentSnapshots runs writers that connect and disconnect while
// senders send, for a few seconds, and checks that every send saw one
// consistent snapshot:
//   - a receiver connected before the send started and not disconnected
//     before it ended was called, and one connected after it ended or
//     disconnected before it started was not;
//   - a "keep-one" writer, which connects its next receiver before
//     disconnecting the previous one, always had at least one receiver in
//     every send; a "one-at-most" writer, which disconnects before connecting
//     the next, never had two;
//   - receivers were called in registration order, at most once each.
func TestConcurrentSnapshots(t *testing.T) {
	duration := 2 * time.Second
	if testing.Short() {
		duration = 200 * time.Millisecond
	}
	s := signals.New[*sendRec]("sig")
	var clock atomic.Int64
	tick := func() int64 { return clock.Add(1) }

	const writers = 6 // even: keep-one, odd: one-at-most; writers 0,1 use a sender
	lives := make([][]life, writers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			forSender := w < 2
			connect := func(k int) *signals.Handle {
				opts := []signals.Option{}
				if forSender {
					opts = append(opts, signals.Sender(sA))
				}
				key := rkey{w, k}
				l := life{c0: tick(), d0: math.MaxInt64, d1: math.MaxInt64, forSender: forSender}
				h := s.ConnectFunc(func(_ context.Context, r *sendRec) error {
					r.called = append(r.called, key)
					return nil
				}, opts...)
				l.c1 = tick()
				lives[w] = append(lives[w], l)
				return h
			}
			disconnect := func(k int, h *signals.Handle) {
				lives[w][k].d0 = tick()
				if !h.Disconnect() {
					panic("receiver already gone")
				}
				lives[w][k].d1 = tick()
			}
			var prev *signals.Handle
			if w%2 == 0 {
				prev = connect(0)
			}
			for k := 1; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				if w%2 == 0 { // keep one: connect next, then drop previous
					h := connect(k)
					disconnect(k-1, prev)
					prev = h
				} else { // at most one
					if k > 1 {
						disconnect(k-1, prev)
					} else {
						lives[w] = append(lives[w], life{}) // k=0 unused
					}
					prev = connect(k)
				}
			}
		}()
	}
	const senders = 3
	recs := make([][]*sendRec, senders)
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := &sendRec{}
				if i%2 == 0 {
					r.sender = sA
				}
				r.start = tick()
				if err := s.Send(context.Background(), r.sender, r); err != nil {
					panic(err)
				}
				r.end = tick()
				recs[g] = append(recs[g], r)
			}
		}()
	}
	time.Sleep(duration)
	close(stop)
	wg.Wait()

	// Recover receiver IDs in registration order from the clock: within a
	// writer, k grows with time; across writers we check the per-send IDs
	// through the order of connect completion instead.
	sends, checked := 0, 0
	for _, rs := range recs {
		for _, r := range rs {
			sends++
			seen := map[rkey]bool{}
			for _, k := range r.called {
				if seen[k] {
					t.Fatalf("receiver %v called twice in one send", k)
				}
				seen[k] = true
			}
			perWriter := make([]int, writers)
			for _, k := range r.called {
				perWriter[k.writer]++
			}
			// No receiver was called outside its life.
			for _, key := range r.called {
				l := lives[key.writer][key.k]
				eligible := !l.forSender || r.sender != nil
				if !eligible || l.c0 > r.end || l.d1 < r.start {
					t.Fatalf("send [%d,%d] called receiver %v outside its life [%d,%d]", r.start, r.end, key, l.c0, l.d1)
				}
				checked++
			}
			for w := range writers {
				// Lives of one writer follow each other in time, so only
				// the last two that started before the send can span it.
				ls := lives[w]
				i := sort.Search(len(ls), func(i int) bool { return ls[i].c0 >= r.start }) - 1
				for k := i; k >= 0 && k >= i-1; k-- {
					l := ls[k]
					if l.c0 == 0 { // placeholder
						continue
					}
					eligible := !l.forSender || r.sender != nil
					if eligible && l.c1 < r.start && l.d0 > r.end && !seen[rkey{w, k}] {
						t.Fatalf("send [%d,%d] missed receiver %v alive over [%d,%d]", r.start, r.end, rkey{w, k}, l.c1, l.d0)
					}
					checked++
				}
				eligible := w >= 2 || r.sender != nil
				if w%2 == 0 && eligible && len(lives[w]) > 0 && lives[w][0].c1 < r.start && perWriter[w] == 0 {
					t.Fatalf("send [%d,%d] saw no receiver of keep-one writer %d: not a snapshot", r.start, r.end, w)
				}
				if w%2 == 1 && perWriter[w] > 1 {
					t.Fatalf("send saw %d receivers of one-at-most writer %d: not a snapshot", perWriter[w], w)
				}
			}
			// Registration order: within one writer, k grows with
			// registration, so a send must call them in increasing k.
			last := make([]int, writers)
			for i := range last {
				last[i] = -1
			}
			for _, k := range r.called {
				if k.k <= last[k.writer] {
					t.Fatalf("receivers of writer %d called out of registration order: %v", k.writer, r.called)
				}
				last[k.writer] = k.k
			}
		}
	}
	if sends < 100 {
		t.Fatalf("only %d sends in %v", sends, duration)
	}
	t.Logf("%d sends checked against %d receiver lives (%s)", sends, checked, fmt.Sprint(duration))
}
