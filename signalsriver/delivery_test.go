package signalsriver_test

import (
	"context"
	"errors"
	"fmt"
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
		jobs := func() int64 { return rtest.Count(t, db, "SELECT COUNT(*) FROM river_job WHERE kind = ?", signalsriver.Kind(name)) }
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

var _ = atomic.Int64{}
