package wmtest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalswatermill"
)

// Broker is what a transport supplies to the suite, fresh for each test:
// its topics are prefixed with TopicPrefix, which no other test uses.
type Broker struct {
	TopicPrefix string
	// Publisher returns the relay's publisher.
	Publisher func() (message.Publisher, error)
	// Subscriber is the worker's subscriber factory.
	Subscriber func(r outbox.Receiver) (message.Subscriber, error)
}

// Run runs the conformance suite of a transport: delivery through the
// outbox on PostgreSQL and MariaDB (a rollback delivers nothing, each
// committed event is applied once), and dead letters with replay.
func Run(t *testing.T, setup func(t *testing.T) Broker) {
	for _, dialect := range []string{signalswatermill.Postgres, signalswatermill.MySQL} {
		t.Run("Delivery/"+dialect, func(t *testing.T) { testDelivery(t, setup(t), dialect) })
	}
	t.Run("DeadLetterReplay", func(t *testing.T) { testDeadLetters(t, setup(t)) })
}

// Start runs the relay and a worker for the receivers until the test ends.
func Start(t testing.TB, a *App, b Broker, receivers ...string) {
	t.Helper()
	pub, err := b.Publisher()
	if err != nil {
		t.Fatal(err)
	}
	relay, err := a.Outbox.Relay(a.SQLDB, pub)
	if err != nil {
		t.Fatal(err)
	}
	w, err := signalswatermill.NewWorker(signalswatermill.WorkerConfig{Receivers: receivers, TopicPrefix: b.TopicPrefix,
		Subscriber: b.Subscriber, DeadLetters: a.Dead, Logger: Quiet, MaxAttempts: 3, Backoff: 5 * time.Millisecond})
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

// Connect connects a durable post_save receiver of Account for the test.
func Connect(t testing.TB, name string, fn func(context.Context, outbox.Event[Account]) error) {
	t.Helper()
	h := signalsgorm.DurablePostSave(name, fn)
	t.Cleanup(func() { h.Disconnect() })
}

func testDelivery(t *testing.T, b Broker, dialect string) {
	a := OpenApp(t, dialect, Database(t, dialect), b.TopicPrefix)
	if dialect == signalswatermill.Postgres {
		// Three partitions, three forwarders; MariaDB keeps one.
		a.Outbox.Partitions = 3
		if err := a.Outbox.Init(context.Background(), a.SQLDB); err != nil {
			t.Fatal(err)
		}
	}
	name := Unique("suite.delivery.")
	Connect(t, name, EffectReceiver(a.DB))
	ctx := context.Background()
	boom := errors.New("boom")
	if err := a.DB.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&Account{Email: "rolled@back"}).Error; err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n, _, err := a.Outbox.Backlog(ctx, a.SQLDB); err != nil || n != 0 {
		t.Fatalf("a rollback left %d outbox rows (%v)", n, err)
	}
	const n = 50
	for i := 0; i < n; i++ {
		if err := a.DB.Create(&Account{Email: "a@x"}).Error; err != nil {
			t.Fatal(err)
		}
	}
	if got, _, _ := a.Outbox.Backlog(ctx, a.SQLDB); got != n {
		t.Fatalf("backlog %d before the relay, want %d", got, n)
	}
	Start(t, a, b, name)
	WaitProgress(t, 30*time.Second, "the effects", func() int64 { return a.Count(t, "SELECT COUNT(*) FROM effects") }, n)
	time.Sleep(200 * time.Millisecond)
	if got := a.Count(t, "SELECT COUNT(DISTINCT event_id) FROM effects"); got != n {
		t.Fatalf("%d distinct effects", got)
	}
	if got := a.Count(t, "SELECT COUNT(*) FROM effects"); got != n {
		t.Fatalf("%d effects for %d events", got, n)
	}
	if got, _, _ := a.Outbox.Backlog(ctx, a.SQLDB); got != 0 {
		t.Fatalf("backlog %d after delivery", got)
	}
	if purged, err := a.Outbox.Purge(ctx, a.SQLDB, -time.Hour); err != nil || purged != n {
		t.Fatalf("Purge: %d, %v", purged, err)
	}
}

func testDeadLetters(t *testing.T, b Broker) {
	a := OpenApp(t, signalswatermill.Postgres, Database(t, signalswatermill.Postgres), b.TopicPrefix)
	bad, good := Unique("suite.bad."), Unique("suite.good.")
	var fixed atomic.Bool
	var badCalls, goodCalls atomic.Int32
	Connect(t, bad, func(context.Context, outbox.Event[Account]) error {
		badCalls.Add(1)
		if !fixed.Load() {
			return errors.New("smtp down")
		}
		return nil
	})
	Connect(t, good, func(context.Context, outbox.Event[Account]) error {
		goodCalls.Add(1)
		return nil
	})
	Start(t, a, b, bad, good)
	for i := 0; i < 3; i++ {
		if err := a.DB.Create(&Account{Email: "x"}).Error; err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	var dead []outbox.DeadLetter
	var err error
	// 3 events, each tried 3 times by the failing receiver, then dead-lettered.
	WaitProgress(t, 30*time.Second, "three dead letters", func() int64 {
		dead, err = a.Dead.DeadLetters(ctx, bad, 10)
		if err != nil {
			t.Fatal(err)
		}
		return int64(badCalls.Load()) + int64(len(dead))
	}, 9+3)
	WaitProgress(t, 30*time.Second, "the good receiver", func() int64 { return int64(goodCalls.Load()) }, 3)
	if badCalls.Load() != 9 {
		t.Fatalf("the failing receiver was called %d times, want 3×3", badCalls.Load())
	}
	if dead[0].Attempts != 3 || !strings.Contains(dead[0].Error, "smtp down") || dead[0].Receiver != bad || !outbox.ValidID(dead[0].EventID) {
		t.Fatalf("dead letter: %+v", dead[0])
	}
	fixed.Store(true)
	n, err := a.Dead.Replay(ctx, dead[0].ID)
	if err != nil || n != 1 {
		t.Fatalf("Replay: %d, %v", n, err)
	}
	WaitProgress(t, 30*time.Second, "the replay", func() int64 { return int64(badCalls.Load()) }, 10)
	time.Sleep(300 * time.Millisecond)
	if goodCalls.Load() != 3 {
		t.Fatalf("the replay reached the other receiver: %d calls", goodCalls.Load())
	}
	if left, _ := a.Dead.DeadLetters(ctx, bad, 10); len(left) != 2 {
		t.Fatalf("%d dead letters left, want 2", len(left))
	}
}
