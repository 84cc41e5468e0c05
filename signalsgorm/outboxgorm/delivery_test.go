package outboxgorm_test

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
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// A receiver that always fails: its event lands in the dead letters after
// MaxAttempts, the other receiver of the same event is not blocked, and
// replay delivers it once the receiver works.
func TestOutboxDeadLetterAndReplay(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		bad, good := "test.bad."+dialect, "test.good."+dialect
		db, ob := openOutbox(t, dialect, []string{bad, good})
		var fixed atomic.Bool
		var calls atomic.Int32
		h := signalsgorm.DurablePostSave(bad, func(_ context.Context, ev outbox.Event[Account]) error {
			calls.Add(1)
			if !fixed.Load() {
				return errors.New("smtp down")
			}
			return nil
		})
		durable(t, h)
		var ok sink[Account]
		h2 := signalsgorm.DurablePostSave(good, ok.Receive)
		durable(t, h2)

		for _, e := range []string{"a@x", "b@x"} {
			if err := db.Create(&Account{Email: e}).Error; err != nil {
				t.Fatal(err)
			}
		}
		if n := runOnce(t, ob); n != 2 {
			t.Fatalf("delivered %d, want the good receiver's 2", n)
		}
		if len(ok.All()) != 2 || calls.Load() != 6 {
			t.Fatalf("good got %d, bad was called %d times (want 2 and 2×3)", len(ok.All()), calls.Load())
		}
		dead, err := ob.DeadLetters(context.Background(), bad, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) != 2 || dead[0].Attempts != 3 || !strings.Contains(dead[0].Error, "smtp down") || dead[0].Receiver != bad || dead[0].FailedAt.IsZero() {
			t.Fatalf("dead letters: %+v", dead)
		}
		if d, _ := ob.DeadLetters(context.Background(), good, 10); len(d) != 0 {
			t.Fatalf("the good receiver has dead letters: %+v", d)
		}
		stats := statsOf(t, ob)
		if stats[bad].Dead != 2 || stats[bad].Pending != 0 || stats[good].Delivered != 2 {
			t.Fatalf("stats: %+v", stats)
		}
		checkLastError(t, stats[bad], "smtp down")
		checkLastError(t, stats[good], "")

		fixed.Store(true)
		n, err := ob.Replay(context.Background(), dead[0].ID, dead[1].ID, dead[1].ID)
		if err != nil || n != 2 {
			t.Fatalf("Replay: %d, %v", n, err)
		}
		if n := runOnce(t, ob); n != 2 {
			t.Fatalf("replay delivered %d", n)
		}
		if d, _ := ob.DeadLetters(context.Background(), bad, 10); len(d) != 0 {
			t.Fatalf("still dead: %+v", d)
		}
		if _, err := ob.Replay(context.Background(), "nope"); err == nil {
			t.Fatal("Replay of a bad ID")
		}
	})
}

// A permanent failure is dead at once.
func TestOutboxPermanentFailureIsDeadAtOnce(t *testing.T) {
	name := "test.permanent"
	db, ob := openOutbox(t, "sqlite", []string{name})
	var calls atomic.Int32
	h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[Account]) error {
		calls.Add(1)
		return outbox.Permanent(errors.New("no such user"))
	})
	durable(t, h)
	if err := db.Create(&Account{Email: "x"}).Error; err != nil {
		t.Fatal(err)
	}
	runOnce(t, ob)
	if dead, _ := ob.DeadLetters(context.Background(), name, 1); calls.Load() != 1 || len(dead) != 1 || dead[0].Attempts != 1 {
		t.Fatalf("calls %d, dead %+v", calls.Load(), dead)
	}
}

// A row whose payload is not an envelope (written by hand, or damaged)
// goes to the dead letters at once, with the decoding error, and the rows
// after it are delivered in order.
func TestOutboxMalformedPayloadIsDeadAtOnce(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.malformed." + dialect
		db, ob := openOutbox(t, dialect, []string{name})
		var got sink[Account]
		durable(t, signalsgorm.DurablePostSave(name, got.Receive))
		accts := []Account{{Email: "a@x"}, {Email: "b@x"}, {Email: "c@x"}}
		if err := db.Create(&accts).Error; err != nil {
			t.Fatal(err)
		}
		var ids []int64
		if err := db.Table(outboxgorm.Table).Order("id").Pluck("id", &ids).Error; err != nil || len(ids) != 3 {
			t.Fatalf("outbox rows %v, %v", ids, err)
		}
		if err := db.Table(outboxgorm.Table).Where("id = ?", ids[1]).Update("payload", `{"v":1,"id":`).Error; err != nil {
			t.Fatal(err)
		}
		if n := runOnce(t, ob); n != 2 {
			t.Fatalf("delivered %d, want 2", n)
		}
		if evs := got.All(); len(evs) != 2 || evs[0].Instance.Email != "a@x" || evs[1].Instance.Email != "c@x" {
			t.Fatalf("delivered %+v, want a@x then c@x", evs)
		}
		dead, err := ob.DeadLetters(context.Background(), name, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) != 1 || dead[0].Attempts != 0 || !strings.Contains(dead[0].Error, "malformed") {
			t.Fatalf("dead letters: %+v", dead)
		}
	})
}

// Once applies a redelivered event's effect once.
func TestOnceAppliesARedeliveredEventOnce(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.once." + dialect
		db, ob := openOutbox(t, dialect, []string{name})
		var applied atomic.Int32
		h := signalsgorm.DurablePostSave(name, func(ctx context.Context, ev outbox.Event[Account]) error {
			ok, err := outboxgorm.Once(ctx, db, func(tx *gorm.DB) error {
				return tx.Model(&Tally{}).Where("name = ?", "accounts").Update("n", gorm.Expr("n + 1")).Error
			})
			if ok {
				applied.Add(1)
			}
			return err
		})
		durable(t, h)
		if err := db.Create(&Tally{Name: "accounts"}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&Account{Email: "x"}).Error; err != nil {
			t.Fatal(err)
		}
		runOnce(t, ob)
		// Redeliver: as if the worker had crashed before marking the row.
		if err := db.Exec("UPDATE " + outboxgorm.Table + " SET status = 'pending'").Error; err != nil {
			t.Fatal(err)
		}
		if n := runOnce(t, ob); n != 1 {
			t.Fatalf("redelivered %d", n)
		}
		var tally Tally
		if err := db.First(&tally, "name = ?", "accounts").Error; err != nil {
			t.Fatal(err)
		}
		if tally.N != 1 || applied.Load() != 1 {
			t.Fatalf("applied %d times, tally %d", applied.Load(), tally.N)
		}
		if _, err := outboxgorm.Once(context.Background(), db, func(*gorm.DB) error { return nil }); !errors.Is(err, outboxgorm.ErrNoDelivery) {
			t.Fatalf("Once outside a handler: %v", err)
		}
	})
}

// Events of one key reach a receiver in commit order; Run delivers in the
// background, woken by commits; Purge drops delivered rows.
func TestOutboxRunDeliversInOrderAndPurges(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.order." + dialect
		db, ob := openOutbox(t, dialect, []string{name})
		var got sink[Account]
		h := signalsgorm.DurablePostSave(name, got.Receive)
		durable(t, h)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- ob.Run(ctx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}()
		a := Account{Email: "o@x"}
		if err := db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		const n = 30
		for i := 1; i <= n; i++ {
			if err := db.Model(&a).Update("Visits", i).Error; err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for len(got.All()) < n+1 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		evs := got.All()
		if len(evs) != n+1 {
			t.Fatalf("delivered %d of %d", len(evs), n+1)
		}
		for i, ev := range evs[1:] {
			if ev.Instance.Visits != i+1 {
				t.Fatalf("event %d has Visits %d: out of order", i+1, ev.Instance.Visits)
			}
		}
		if err := ob.Run(ctx); err == nil {
			t.Fatal("a second Run")
		}
		// The worker marks a batch delivered after handling it.
		for statsOf(t, ob)[name].Pending != 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		purged, err := ob.Purge(context.Background(), -time.Hour)
		if err != nil || purged != n+1 {
			t.Fatalf("Purge: %d, %v", purged, err)
		}
		if outboxRows(t, db) != 0 {
			t.Fatal("rows left")
		}
	})
}

// A commit wakes a running worker at once: with an hour between polls, the
// event of a save made after the first poll is delivered.
func TestOutboxRunIsWokenByACommit(t *testing.T) {
	name := "test.wake"
	db := open(t, "sqlite")
	ob, err := outboxgorm.New(db, outboxgorm.Config{Receivers: []string{name}, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	var got sink[Account]
	durable(t, signalsgorm.DurablePostSave(name, got.Receive))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- ob.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	time.Sleep(50 * time.Millisecond) // the worker's first poll finds nothing
	if err := db.Create(&Account{Email: "w@x"}).Error; err != nil {
		t.Fatal(err)
	}
	if !waitFor(10*time.Second, func() bool { return len(got.All()) == 1 }) {
		t.Fatal("the commit did not wake the worker")
	}
}

// New refuses a database without the plugin.
func TestOutboxNewNeedsThePlugin(t *testing.T) {
	if _, err := outboxgorm.New(dbtest.Open(t, "sqlite"), outboxgorm.Config{}); err == nil || !strings.Contains(err.Error(), "db.Use(signalsgorm.New())") {
		t.Fatalf("New without the plugin: %v", err)
	}
}

// checkLastError checks that a receiver's stats report the error want ("":
// none).
func checkLastError(t *testing.T, s outbox.Stats, want string) {
	t.Helper()
	if want == "" && s.LastError != "" || !strings.Contains(s.LastError, want) {
		t.Errorf("%s's last error: %q, want %q", s.Receiver, s.LastError, want)
	}
}
