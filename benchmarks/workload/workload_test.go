package workload_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"gorm.io/gorm"

	"github.com/gosignals/signals/benchmarks/workload"
)

// The workloads must do the same work on every implementation: these tests
// run them on small sizes and check what each delivered and sent.

func TestDispatchDeliversToEveryReceiver(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{0, 1, 10} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var got atomic.Int64
			check := func(name string) {
				t.Helper()
				if g := got.Swap(0); g != int64(2*n) {
					t.Errorf("%s: two sends reached %d receivers, want %d", name, g, 2*n)
				}
			}
			count := func(_ context.Context, ev workload.Event) error {
				if ev != workload.Sample {
					t.Errorf("receiver got %+v", ev)
				}
				got.Add(1)
				return nil
			}

			s := workload.NewSignal(n, count)
			for range 2 {
				if err := s.Send(ctx, workload.Sender, workload.Sample); err != nil {
					t.Fatal(err)
				}
			}
			check("Signal.Send")
			for range 2 {
				if _, err := s.SendAsync(ctx, workload.Sender, workload.Sample); err != nil {
					t.Fatal(err)
				}
			}
			check("Signal.SendAsync")

			for range 2 {
				for _, fn := range workload.NewLoop(n, count) {
					fn(ctx, workload.Sample)
				}
			}
			check("loop")

			bus, err := workload.NewEventBus(n, func(ev workload.Event) { count(ctx, ev) })
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				bus.Publish(workload.Topic, workload.Sample)
			}
			check("EventBus")

			msg := workload.NewMessage(workload.Sample)
			g, err := workload.NewGoChannel(n, func(m *message.Message) {
				if string(m.Payload) != string(msg.Payload) {
					t.Errorf("subscriber got %q", m.Payload)
				}
				got.Add(1)
			})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := g.Publish(workload.Topic, msg); err != nil {
					t.Fatal(err)
				}
			}
			// Publish returned after every subscriber acked: nothing to wait for.
			check("gochannel")
			if err := g.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func open(t *testing.T, plugin bool) *workload.DB {
	t.Helper()
	db, err := workload.Open(t.TempDir(), "test", plugin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func rows(t *testing.T, db *gorm.DB, model any) int64 {
	t.Helper()
	var n int64
	if err := db.Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSaveSendsOnePreAndOnePostSavePerObject(t *testing.T) {
	const n = 20
	db := open(t, true)
	c, disconnect := workload.ConnectSaveReceivers()
	t.Cleanup(disconnect)
	db.Queries.Reset()
	if err := workload.SaveEntries(db.DB, n); err != nil {
		t.Fatal(err)
	}
	if c.Pre != n || c.Post != n {
		t.Errorf("pre_save %d, post_save %d, want %d each", c.Pre, c.Post, n)
	}
	if k := db.Queries.Kinds(); k["insert"] != n || db.Queries.Data() != n {
		t.Errorf("statements %v, want %d inserts and nothing else", k, n)
	}
	if got := rows(t, db.DB, &workload.Entry{}); got != n {
		t.Errorf("%d entries, want %d", got, n)
	}
}

func TestSaveHooksRunOncePerObject(t *testing.T) {
	const n = 20
	db := open(t, false)
	h := &workload.Hooks{}
	db.Queries.Reset()
	if err := workload.SaveHookEntries(db.DB, n, h); err != nil {
		t.Fatal(err)
	}
	if h.Before != n || h.After != n {
		t.Errorf("BeforeSave %d, AfterSave %d, want %d each", h.Before, h.After, n)
	}
	if db.Queries.Data() != n {
		t.Errorf("%d statements, want %d", db.Queries.Data(), n)
	}
	if got := rows(t, db.DB, &workload.HookEntry{}); got != n {
		t.Errorf("%d entries, want %d", got, n)
	}
}

func TestClearEmptiesEveryTable(t *testing.T) {
	db := open(t, false)
	if _, err := workload.Seed(db.DB, 2, 2); err != nil {
		t.Fatal(err)
	}
	if err := workload.SaveEntries(db.DB, 3); err != nil {
		t.Fatal(err)
	}
	if err := workload.Clear(db.DB); err != nil {
		t.Fatal(err)
	}
	for _, m := range []any{&workload.Author{}, &workload.Book{}, &workload.Comment{}, &workload.Entry{}} {
		if n := rows(t, db.DB, m); n != 0 {
			t.Errorf("%T: %d rows left", m, n)
		}
	}
}
