package outboxgorm_test

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// newOutbox returns an outbox of db delivering to name only, with quick
// retries and a silent logger, cfg's other fields kept.
func newOutbox(t *testing.T, db *gorm.DB, name string, cfg outboxgorm.Config) *outboxgorm.Outbox {
	t.Helper()
	cfg.Receivers = []string{name}
	cfg.Backoff, cfg.MaxBackoff = time.Millisecond, 5*time.Millisecond
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 20 * time.Millisecond
	}
	cfg.Logger = slog.New(slog.DiscardHandler)
	ob, err := outboxgorm.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return ob
}

// run runs ob until the test ends, and returns a function that stops it
// and says how long Run took to return.
func run(t *testing.T, ob *outboxgorm.Outbox) (stop func() time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ob.Run(ctx) }()
	stopped := false
	stop = func() time.Duration {
		if stopped {
			return 0
		}
		stopped = true
		start := time.Now()
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		return time.Since(start)
	}
	t.Cleanup(func() { stop() })
	return stop
}

// rowOf returns the status, attempts and last error of the outbox row of
// receiver name (there is one).
func rowOf(t *testing.T, db *gorm.DB, name string) (status string, attempts int, lastError string) {
	t.Helper()
	var r struct {
		Status    string
		Attempts  int
		LastError *string
	}
	if err := db.Raw("SELECT status, attempts, last_error FROM "+outboxgorm.Table+" WHERE receiver = ?", name).Scan(&r).Error; err != nil {
		t.Fatal(err)
	}
	if r.LastError != nil {
		lastError = *r.LastError
	}
	return r.Status, r.Attempts, lastError
}

// A delivery past DeliveryTimeout has its context cancelled and counts as
// a failed attempt: it is retried, and dead-lettered when every attempt
// times out.
func TestDeliveryTimeoutIsAFailedAttempt(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		name := "test.timeout." + dialect
		var calls atomic.Int32
		var causes []error
		h := signalsgorm.DurablePostSave(name, func(ctx context.Context, ev outbox.Event[Account]) error {
			calls.Add(1)
			if ev.Delivery.Attempt == 1 || ev.Instance.Email == "always" {
				<-ctx.Done()
				causes = append(causes, context.Cause(ctx))
				return ctx.Err()
			}
			return nil
		})
		durable(t, h)
		ob := newOutbox(t, db, name, outboxgorm.Config{DeliveryTimeout: 50 * time.Millisecond, MaxAttempts: 2})
		if err := db.Create(&Account{Email: "once"}).Error; err != nil {
			t.Fatal(err)
		}
		if n := runOnce(t, ob); n != 1 || calls.Load() != 2 {
			t.Fatalf("delivered %d in %d calls, want 1 in 2", n, calls.Load())
		}
		if status, attempts, lastErr := rowOf(t, db, name); status != "delivered" || attempts != 1 || !strings.Contains(lastErr, "timed out after 50ms") {
			t.Fatalf("row: %s, %d attempts, %q", status, attempts, lastErr)
		}
		if len(causes) != 1 || !strings.Contains(causes[0].Error(), "delivery timeout") {
			t.Fatalf("the handler's context was cancelled with %v", causes)
		}
		if err := db.Exec("DELETE FROM " + outboxgorm.Table).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&Account{Email: "always"}).Error; err != nil {
			t.Fatal(err)
		}
		runOnce(t, ob)
		if dead, _ := ob.DeadLetters(t.Context(), name, 10); len(dead) != 1 || dead[0].Attempts != 2 || !strings.Contains(dead[0].Error, "timed out") {
			t.Fatalf("dead letters: %+v", dead)
		}
	})
}

// A handler that ignores the cancellation at its timeout does not hold its
// receiver up for more than a second after it.
func TestDeliveryTimeoutHandlerIgnoringItsContext(t *testing.T) {
	{
		db := open(t, "sqlite")
		name := "test.timeout.ignored"
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		var calls atomic.Int32
		h := signalsgorm.DurablePostSave(name, func(ctx context.Context, ev outbox.Event[Account]) error {
			if calls.Add(1) == 1 {
				<-release // ignores ctx
			}
			return nil
		})
		durable(t, h)
		ob := newOutbox(t, db, name, outboxgorm.Config{DeliveryTimeout: 50 * time.Millisecond})
		if err := db.Create(&Account{Email: "hung"}).Error; err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if n := runOnce(t, ob); n != 1 || calls.Load() != 2 {
			t.Fatalf("delivered %d in %d calls", n, calls.Load())
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("the hung handler held its receiver up for %v", d)
		}
	}
}

// Once Run's context is done, a handler that ignores its context is
// abandoned after ShutdownTimeout: Run returns, the delivery is neither
// acknowledged nor counted, and the worker keeps its lease until it
// expires. Another worker then delivers the event.
func TestRunReturnsWithinShutdownTimeout(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		name := "test.shutdown." + dialect
		started, release := make(chan struct{}, 1), make(chan struct{})
		t.Cleanup(func() { close(release) })
		var calls atomic.Int32
		h := signalsgorm.DurablePostSave(name, func(ctx context.Context, ev outbox.Event[Account]) error {
			if calls.Add(1) == 1 {
				started <- struct{}{}
				<-release // ignores ctx
			}
			return nil
		})
		durable(t, h)
		const grace = 200 * time.Millisecond
		ttl := 500 * time.Millisecond
		first := newOutbox(t, db, name, outboxgorm.Config{ShutdownTimeout: grace, LeaseTTL: ttl})
		stop := run(t, first)
		if err := db.Create(&Account{Email: "stuck"}).Error; err != nil {
			t.Fatal(err)
		}
		<-started
		if d := stop(); d < grace || d > grace+1500*time.Millisecond {
			t.Fatalf("Run returned %v after its context was cancelled, want %v to %v", d, grace, grace+1500*time.Millisecond)
		}
		if status, attempts, _ := rowOf(t, db, name); status != "pending" || attempts != 0 {
			t.Fatalf("the abandoned delivery left the row %s with %d attempts", status, attempts)
		}
		second := newOutbox(t, db, name, outboxgorm.Config{LeaseTTL: ttl})
		if n := runOnce(t, second); n != 0 {
			t.Fatal("another worker delivered while the abandoned handler's lease lasted")
		}
		waitProgress(t, 10*time.Second, "the second worker's delivery", func() int64 {
			n, _ := second.RunOnce(t.Context())
			return int64(n)
		}, 1)
		if calls.Load() != 2 {
			t.Fatalf("%d calls", calls.Load())
		}
	})
}

// A handler that takes longer than LeaseTTL keeps its worker's lease (the
// heartbeat renews it), so that another worker never delivers the same
// event at the same time.
func TestSlowHandlerKeepsTheLease(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		name := "test.slow." + dialect
		var running, overlaps, calls atomic.Int32
		h := signalsgorm.DurablePostSave(name, func(ctx context.Context, ev outbox.Event[Account]) error {
			calls.Add(1)
			if running.Add(1) > 1 {
				overlaps.Add(1)
			}
			defer running.Add(-1)
			select {
			case <-time.After(1600 * time.Millisecond):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		durable(t, h)
		// A renewal may take a third of LeaseTTL before it counts as
		// failed: 333 ms, which a loaded machine's database keeps to.
		cfg := outboxgorm.Config{LeaseTTL: time.Second, DeliveryTimeout: 10 * time.Second}
		for range 2 { // two workers, as two processes would run
			run(t, newOutbox(t, db, name, cfg))
		}
		for _, e := range []string{"a@x", "b@x"} {
			if err := db.Create(&Account{Email: e}).Error; err != nil {
				t.Fatal(err)
			}
		}
		waitProgress(t, 10*time.Second, "two deliveries", func() int64 { return countStatus(t, db, name, "delivered") }, 2)
		if overlaps.Load() != 0 || calls.Load() != 2 {
			t.Fatalf("%d calls for 2 events, %d concurrent", calls.Load(), overlaps.Load())
		}
	})
}

// A panicking handler's attempt fails like an error and is retried.
func TestPanickingHandlerIsRetried(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		name := "test.panic." + dialect
		h := signalsgorm.DurablePostSave(name, func(ctx context.Context, ev outbox.Event[Account]) error {
			if ev.Delivery.Attempt == 1 {
				panic("boom")
			}
			return nil
		})
		durable(t, h)
		ob := newOutbox(t, db, name, outboxgorm.Config{})
		if err := db.Create(&Account{Email: "p@x"}).Error; err != nil {
			t.Fatal(err)
		}
		if n := runOnce(t, ob); n != 1 {
			t.Fatalf("delivered %d", n)
		}
		if status, attempts, lastErr := rowOf(t, db, name); status != "delivered" || attempts != 1 || !strings.Contains(lastErr, "panicked: panic: boom") {
			t.Fatalf("row: %s, %d attempts, %q", status, attempts, lastErr)
		}
	})
}

// The outbox's times are the database's: outboxsql.Now reads the
// database's clock, and a lease lasts LeaseTTL by it.
func TestLeaseUsesTheDatabaseClock(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		name := "test.clock." + dialect
		durable(t, signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[Account]) error { return nil }))
		ttl := 7 * time.Second
		run(t, newOutbox(t, db, name, outboxgorm.Config{LeaseTTL: ttl}))
		if err := db.Create(&Account{Email: "c@x"}).Error; err != nil {
			t.Fatal(err)
		}
		waitProgress(t, 10*time.Second, "the delivery", func() int64 { return countStatus(t, db, name, "delivered") }, 1)
		var r struct{ Now, ExpiresAt int64 }
		now := outboxsql.Now(db.Dialector.Name())
		if err := db.Raw("SELECT "+now+" AS now, expires_at FROM "+outboxgorm.LeaseTable+" WHERE receiver = ?", name).Scan(&r).Error; err != nil {
			t.Fatal(err)
		}
		if skew := time.Since(time.UnixMicro(r.Now)); skew < -2*time.Second || skew > 2*time.Second {
			t.Fatalf("the database's clock (%d µs) is %v off this process's", r.Now, skew)
		}
		if left := time.Duration(r.ExpiresAt-r.Now) * time.Microsecond; left <= 0 || left > ttl {
			t.Fatalf("the lease expires in %v by the database's clock, want (0, %v]", left, ttl)
		}
	})
}

func countStatus(t *testing.T, db *gorm.DB, name, status string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(outboxgorm.Table).Where("receiver = ? AND status = ?", name, status).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
