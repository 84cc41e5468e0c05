package signalsnats_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsnats"
	"github.com/gosignals/signals/signalswatermill"
)

// effectReceiver logs each delivery and applies its effect once.
func effectReceiver(db *gorm.DB) func(ctx context.Context, ev outbox.Event[Account]) error {
	return func(ctx context.Context, ev outbox.Event[Account]) error {
		if err := db.WithContext(ctx).Create(&Delivery{EventID: ev.ID}).Error; err != nil {
			return err
		}
		_, err := signalsgorm.Once(ctx, db, func(tx *gorm.DB) error { return tx.Create(&Effect{EventID: ev.ID}).Error })
		return err
	}
}

// run starts the relay and a worker for the receivers in the background.
func run(t *testing.T, a *app, cfg signalsnats.Config, receivers ...string) {
	t.Helper()
	pub, err := signalsnats.Publisher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	relay, err := a.outbox.Relay(a.sqlDB, pub)
	if err != nil {
		t.Fatal(err)
	}
	w, err := signalswatermill.NewWorker(signalswatermill.WorkerConfig{Receivers: receivers, TopicPrefix: cfg.TopicPrefix,
		Subscriber: signalsnats.Subscriber(cfg), DeadLetters: a.dead, Logger: quiet, MaxAttempts: 3, Backoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = relay.Run(ctx); done <- struct{}{} }()
	go func() { _ = w.Run(ctx); done <- struct{}{} }()
	<-w.Running()
	t.Cleanup(func() {
		cancel()
		_ = relay.Close()
		_ = w.Close()
		<-done
		<-done
		_ = pub.Close()
	})
}

// Broker mode end to end on PostgreSQL and MariaDB: a rollback writes and
// delivers nothing; committed events reach the receiver through the relay
// and JetStream; the idempotent receiver applies each once.
func TestBrokerDelivery(t *testing.T) {
	for _, dialect := range []string{"postgres", "mysql"} {
		t.Run(dialect, func(t *testing.T) {
			cfg := natsConfig(t, natsURL())
			a := openApp(t, dialect, database(t, dialect), cfg.TopicPrefix)
			name := unique("nats.delivery.")
			h, err := signalsgorm.DurablePostSave(name, effectReceiver(a.db))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { h.Disconnect() })

			boom := errors.New("boom")
			if err := a.db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Create(&Account{Email: "rolled@back"}).Error; err != nil {
					return err
				}
				return boom
			}); !errors.Is(err, boom) {
				t.Fatal(err)
			}
			if n, _, err := a.outbox.Backlog(context.Background(), a.sqlDB); err != nil || n != 0 {
				t.Fatalf("a rollback left %d outbox rows (%v)", n, err)
			}
			const n = 50
			for i := 0; i < n; i++ {
				if err := a.db.Create(&Account{Email: "a@x"}).Error; err != nil {
					t.Fatal(err)
				}
			}
			if b, _, _ := a.outbox.Backlog(context.Background(), a.sqlDB); b != n {
				t.Fatalf("backlog %d before the relay, want %d", b, n)
			}
			run(t, a, cfg, name)
			waitFor(t, 30*time.Second, "the effects", func() bool { return a.count(t, "SELECT COUNT(*) FROM effects") == n })
			time.Sleep(200 * time.Millisecond)
			if got := a.count(t, "SELECT COUNT(DISTINCT event_id) FROM effects"); got != n {
				t.Fatalf("%d distinct effects", got)
			}
			if b, _, _ := a.outbox.Backlog(context.Background(), a.sqlDB); b != 0 {
				t.Fatalf("backlog %d after delivery", b)
			}
			waitFor(t, 10*time.Second, "the consumer to drain", func() bool {
				st, err := signalsnats.Stats(context.Background(), cfg, name)
				return err == nil && st[0].Pending == 0 && st[0].Delivered == n
			})
			if purged, err := a.outbox.Purge(context.Background(), a.sqlDB, -time.Hour); err != nil || purged != n {
				t.Fatalf("Purge: %d, %v", purged, err)
			}
		})
	}
}

// A receiver that always fails lands in the dead letters after its
// attempts, without blocking the other receiver; replay delivers it to
// that receiver only.
func TestBrokerDeadLetterReplay(t *testing.T) {
	cfg := natsConfig(t, natsURL())
	a := openApp(t, "postgres", database(t, "postgres"), cfg.TopicPrefix)
	bad, good := unique("nats.bad."), unique("nats.good.")
	var fixed atomic.Bool
	var badCalls, goodCalls atomic.Int32
	h1, err := signalsgorm.DurablePostSave(bad, func(context.Context, outbox.Event[Account]) error {
		badCalls.Add(1)
		if !fixed.Load() {
			return errors.New("smtp down")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h1.Disconnect() })
	h2, err := signalsgorm.DurablePostSave(good, func(context.Context, outbox.Event[Account]) error {
		goodCalls.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h2.Disconnect() })
	run(t, a, cfg, bad, good)
	for i := 0; i < 3; i++ {
		if err := a.db.Create(&Account{Email: "x"}).Error; err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	var dead []outbox.DeadLetter
	waitFor(t, 20*time.Second, "three dead letters", func() bool {
		dead, err = a.dead.DeadLetters(ctx, bad, 10)
		return err == nil && len(dead) == 3
	})
	if goodCalls.Load() != 3 || badCalls.Load() != 9 {
		t.Fatalf("good called %d times, bad %d (want 3 and 3×3)", goodCalls.Load(), badCalls.Load())
	}
	if dead[0].Attempts != 3 || !strings.Contains(dead[0].Error, "smtp down") || dead[0].Receiver != bad || !outbox.ValidID(dead[0].EventID) {
		t.Fatalf("dead letter: %+v", dead[0])
	}
	fixed.Store(true)
	n, err := a.dead.Replay(ctx, dead[0].ID)
	if err != nil || n != 1 {
		t.Fatalf("Replay: %d, %v", n, err)
	}
	waitFor(t, 20*time.Second, "the replay", func() bool { return badCalls.Load() == 10 })
	time.Sleep(300 * time.Millisecond)
	if goodCalls.Load() != 3 {
		t.Fatalf("the replay reached the other receiver: %d calls", goodCalls.Load())
	}
	if left, _ := a.dead.DeadLetters(ctx, bad, 10); len(left) != 2 {
		t.Fatalf("%d dead letters left, want 2", len(left))
	}
}
