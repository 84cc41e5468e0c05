package signalsriver_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsriver"
	"github.com/gosignals/signals/signalsriver/internal/rtest"
)

// setup opens a database of dialect writing to an engine of cfg.
func setup(t *testing.T, dialect string, cfg signalsriver.Config) (*signalsriver.Engine, *gorm.DB) {
	t.Helper()
	if cfg.River == nil {
		cfg.River = &river.Config{}
	}
	if cfg.River.Logger == nil {
		cfg.River.Logger = rtest.Quiet
	}
	if cfg.River.FetchPollInterval == 0 {
		cfg.River.FetchPollInterval = 100 * time.Millisecond
	}
	eng, err := signalsriver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return eng, rtest.Open(t, dialect, rtest.DSN(t, dialect), eng)
}

func startWorker(t *testing.T, eng *signalsriver.Engine, db *gorm.DB) *signalsriver.Worker {
	t.Helper()
	w, err := eng.NewWorker(db)
	if err != nil {
		t.Fatal(err)
	}
	rtest.Run(t, w)
	return w
}

func forEachDialect(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range rtest.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// A save writes a River job in its transaction; the worker delivers it
// to the durable receiver, with the instance decoded, and River marks the
// job completed. A rollback (of the transaction or of a savepoint) leaves
// no job and delivers nothing: the committed event saved after it is
// delivered alone.
func TestRollbackDeliversNothing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		name := rtest.Unique("river.rollback.")
		var mu sync.Mutex
		var got []string
		h := signalsgorm.DurablePostSave(name, func(_ context.Context, ev outbox.Event[rtest.Account]) error {
			mu.Lock()
			got = append(got, ev.Instance.Email)
			mu.Unlock()
			return nil
		})
		t.Cleanup(func() { h.Disconnect() })
		eng, db := setup(t, dialect, signalsriver.Config{Receivers: []string{name}})

		boom := errors.New("boom")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&rtest.Account{Email: "rolled-back@x"}).Error; err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("transaction: %v", err)
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			_ = tx.Transaction(func(sp *gorm.DB) error {
				if err := sp.Create(&rtest.Account{Email: "savepoint@x"}).Error; err != nil {
					return err
				}
				return boom
			})
			return tx.Create(&rtest.Account{Email: "committed@x"}).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		jobs := func() int64 {
			return rtest.Count(t, db, "SELECT COUNT(*) FROM river_job WHERE kind = ?", signalsriver.Kind(name))
		}
		if n := jobs(); n != 1 {
			t.Fatalf("%d River jobs after a rollback, a savepoint rollback and a commit, want 1", n)
		}
		startWorker(t, eng, db)
		completed := func() int64 {
			return rtest.Count(t, db, "SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = 'completed'", signalsriver.Kind(name))
		}
		rtest.WaitProgress(t, 30*time.Second, "the committed event's job", completed, 1)
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(got) != "[committed@x]" {
			t.Fatalf("delivered %v, want [committed@x]", got)
		}
	})
}

// jobRow is a river_job row as the tests read it.
type jobRow struct {
	ID          int64
	State       string
	Attempt     int
	MaxAttempts int
	Errors      string
}

func jobOf(t *testing.T, db *gorm.DB, kind string) jobRow {
	t.Helper()
	var rows []jobRow
	err := db.Raw("SELECT id, state, attempt, max_attempts, CAST(errors AS TEXT) AS errors FROM river_job WHERE kind = ? ORDER BY id", kind).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d jobs of kind %s, want 1: %+v", len(rows), kind, rows)
	}
	return rows[0]
}

// A handler that keeps failing is retried with backoff, then River
// discards its job: the job stays in river_job, state discarded, with
// every attempt's error, and is listed as a dead letter. Replay
// (River's JobRetry) makes it available again and the next attempt
// delivers it. A permanent failure (outbox.Permanent) cancels the job at
// the first attempt.
func TestFailingHandlerDiscardedAndReplayed(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		name, perm := rtest.Unique("river.failing."), rtest.Unique("river.permanent.")
		var fail atomic.Bool
		fail.Store(true)
		var attempts []int
		var mu sync.Mutex
		h := signalsgorm.DurablePostSave(name, func(_ context.Context, ev outbox.Event[rtest.Account]) error {
			mu.Lock()
			attempts = append(attempts, ev.Delivery.Attempt)
			mu.Unlock()
			if fail.Load() {
				return fmt.Errorf("mail server down (attempt %d)", ev.Delivery.Attempt)
			}
			return nil
		})
		t.Cleanup(func() { h.Disconnect() })
		hp := signalsgorm.DurablePostSave(perm, func(context.Context, outbox.Event[rtest.Account]) error {
			return outbox.Permanent(errors.New("no such mailbox"))
		})
		t.Cleanup(func() { hp.Disconnect() })
		eng, db := setup(t, dialect, signalsriver.Config{Receivers: []string{name, perm}, MaxAttempts: 3, Backoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
		w := startWorker(t, eng, db)
		if err := db.Create(&rtest.Account{Email: "a@x"}).Error; err != nil {
			t.Fatal(err)
		}
		rtest.WaitProgress(t, 30*time.Second, "the failing job's discarding", finished(t, db, signalsriver.Kind(name)), 4)
		rtest.WaitProgress(t, 30*time.Second, "the permanent failure's cancellation", finished(t, db, signalsriver.Kind(perm)), 2)
		id := checkFailures(t, db, name, perm)
		d := checkDeadLetters(t, w, id, name, perm)

		// Replay: one more attempt, which succeeds now.
		fail.Store(false)
		n, err := w.Replay(context.Background(), d.ID)
		if n != 1 || err != nil {
			t.Fatalf("Replay = %d, %v", n, err)
		}
		rtest.WaitProgress(t, 30*time.Second, "the replayed job", finished(t, db, signalsriver.Kind(name)), 5)
		if j := jobOf(t, db, signalsriver.Kind(name)); j.State != "completed" || j.Attempt != 4 {
			t.Fatalf("replayed job: %+v, want completed at attempt 4", j)
		}
		mu.Lock()
		if fmt.Sprint(attempts) != "[1 2 3 4]" {
			t.Errorf("attempts %v, want [1 2 3 4]", attempts)
		}
		mu.Unlock()
		// A completed job is no dead letter: Replay refuses it.
		if n, err := w.Replay(context.Background(), d.ID, "x"); n != 0 || err == nil ||
			!strings.Contains(err.Error(), "is completed, not a dead letter") || !strings.Contains(err.Error(), `"x" is not a job ID`) {
			t.Fatalf("Replay of a completed job = %d, %v", n, err)
		}
	})
}

// finished counts a job's attempts, plus one once it is finalized.
func finished(t *testing.T, db *gorm.DB, kind string) func() int64 {
	return func() int64 {
		return rtest.Count(t, db, "SELECT attempt + CASE WHEN state IN ('discarded', 'cancelled', 'completed') THEN 1 ELSE 0 END FROM river_job WHERE kind = ?", kind)
	}
}

// checkFailures checks the rows River keeps of the failing receiver's job
// (discarded, every attempt's error) and of the permanently failing one
// (cancelled), and returns the first one's ID.
func checkFailures(t *testing.T, db *gorm.DB, name, perm string) int64 {
	t.Helper()
	j := jobOf(t, db, signalsriver.Kind(name))
	if j.State != "discarded" || j.Attempt != 3 || j.MaxAttempts != 3 {
		t.Fatalf("failing job: %+v, want discarded after 3 attempts", j)
	}
	for i := 1; i <= 3; i++ {
		if want := fmt.Sprintf("mail server down (attempt %d)", i); !strings.Contains(j.Errors, want) {
			t.Fatalf("the job's errors lack %q: %s", want, j.Errors)
		}
	}
	if p := jobOf(t, db, signalsriver.Kind(perm)); p.State != "cancelled" || p.Attempt != 1 || !strings.Contains(p.Errors, "no such mailbox") {
		t.Fatalf("permanently failing job: %+v, want cancelled after 1 attempt", p)
	}
	return j.ID
}

// checkDeadLetters checks the worker's dead letters: the discarded job
// (id) then the cancelled one; it returns the first.
func checkDeadLetters(t *testing.T, w *signalsriver.Worker, id int64, name, perm string) outbox.DeadLetter {
	t.Helper()
	dead, err := w.DeadLetters(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 2 || dead[0].Receiver != name || dead[1].Receiver != perm {
		t.Fatalf("dead letters %+v, want the failing job then the cancelled one", dead)
	}
	d := dead[0]
	if d.ID != strconv.FormatInt(id, 10) || d.Attempts != 3 || d.EventID == "" || d.Topic != "signals.rtest.Account.post_save" ||
		d.Error != "mail server down (attempt 3)" || d.FailedAt.IsZero() {
		t.Fatalf("dead letter %+v", d)
	}
	if only, _ := w.DeadLetters(context.Background(), perm, 10); len(only) != 1 || only[0].Receiver != perm {
		t.Fatalf("dead letters of %s: %+v", perm, only)
	}
	return d
}

// A handler that runs longer than the job's timeout has its context
// cancelled (context.DeadlineExceeded): returning that error fails the
// attempt, which River retries. A handler that ignores the cancellation
// and returns nil completes its job: River judges by what Work returns.
func TestHandlerLongerThanTimeout(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		name, stubborn := rtest.Unique("river.slow."), rtest.Unique("river.stubborn.")
		var ctxErrs []error
		var mu sync.Mutex
		h := signalsgorm.DurablePostSave(name, func(ctx context.Context, ev outbox.Event[rtest.Account]) error {
			if ev.Delivery.Attempt > 1 {
				return nil
			}
			<-ctx.Done() // a slow call that honours its context
			mu.Lock()
			ctxErrs = append(ctxErrs, ctx.Err())
			mu.Unlock()
			return ctx.Err()
		})
		t.Cleanup(func() { h.Disconnect() })
		hs := signalsgorm.DurablePostSave(stubborn, func(ctx context.Context, ev outbox.Event[rtest.Account]) error {
			time.Sleep(300 * time.Millisecond) // ignores ctx
			return nil
		})
		t.Cleanup(func() { hs.Disconnect() })
		eng, db := setup(t, dialect, signalsriver.Config{Receivers: []string{name, stubborn}, Timeout: 100 * time.Millisecond, Backoff: 10 * time.Millisecond})
		startWorker(t, eng, db)
		start := time.Now()
		if err := db.Create(&rtest.Account{Email: "a@x"}).Error; err != nil {
			t.Fatal(err)
		}
		completed := func() int64 {
			return rtest.Count(t, db, "SELECT COUNT(*) FROM river_job WHERE kind IN (?, ?) AND state = 'completed'", signalsriver.Kind(name), signalsriver.Kind(stubborn))
		}
		rtest.WaitProgress(t, 30*time.Second, "both jobs' completion", completed, 2)
		mu.Lock()
		if len(ctxErrs) != 1 || !errors.Is(ctxErrs[0], context.DeadlineExceeded) {
			t.Errorf("the first attempt's context ended with %v, want [context.DeadlineExceeded]", ctxErrs)
		}
		mu.Unlock()
		if time.Since(start) < 100*time.Millisecond {
			t.Errorf("completed after %v, before the timeout", time.Since(start))
		}
		if j := jobOf(t, db, signalsriver.Kind(name)); j.Attempt != 2 || !strings.Contains(j.Errors, "context deadline exceeded") {
			t.Errorf("slow job: %+v, want completed at attempt 2 after a deadline error", j)
		}
		if j := jobOf(t, db, signalsriver.Kind(stubborn)); j.Attempt != 1 || j.Errors != "" && j.Errors != "[]" {
			t.Errorf("stubborn job: %+v, want completed at attempt 1", j)
		}
	})
}

// A database too busy to answer River's start in time (here SQLite's
// write lock, held longer than River waits) delays the worker: it starts
// when the lock is released and delivers what was written.
func TestWorkerStartsOnceTheDatabaseIsFree(t *testing.T) {
	name := rtest.Unique("river.busy.")
	var got atomic.Int64
	h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[rtest.Account]) error {
		got.Add(1)
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
	eng, db := setup(t, signalsriver.SQLite, signalsriver.Config{Receivers: []string{name}})
	if err := db.Create(&rtest.Account{Email: "a@x"}).Error; err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	lock, err := sqlDB.BeginTx(context.Background(), nil) // _txlock=immediate: takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	w, err := eng.NewWorker(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-time.After(12 * time.Second): // past River's 10 s start timeout
	case err := <-done:
		done <- err // for the deferred wait
		t.Fatalf("Run returned while the database was locked: %v", err)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	rtest.WaitProgress(t, 60*time.Second, "the delivery", got.Load, 1)
}
