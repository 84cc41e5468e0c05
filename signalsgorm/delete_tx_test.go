package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

var errVeto = errors.New("veto")

// An error from any pre_delete or post_delete receiver aborts the
// whole deletion: nothing is deleted, what receivers wrote through DB(ctx)
// is rolled back, with or without GORM's default transaction.
func TestDeleteReceiverErrorRollsBack(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		for _, skip := range []bool{false, true} {
			db, _ := openDelete(t, dialect)
			if skip {
				// GORM compiles its chains without transaction steps.
				cfg := dbtest.Config()
				cfg.SkipDefaultTransaction = true
				db = dbtest.OpenConfig(t, dialect, cfg)
				if err := db.Use(signalsgorm.New()); err != nil {
					t.Fatal(err)
				}
				if err := signalsgorm.AutoMigrate(db, deleteModels...); err != nil {
					t.Fatal(err)
				}
			}
			w := seedWriter(t, db, "w")
			tp := recordDeletes(t)
			var fail string
			audit := func(ctx context.Context, ev modelsignals.DeleteEvent) error {
				if err := signalsgorm.DB(ctx, db).Create(&Genre{Name: "audit"}).Error; err != nil {
					return err
				}
				if ev.Model.Label == fail {
					return errVeto
				}
				return nil
			}
			h1 := modelsignals.PreDelete.ConnectFunc(audit)
			h2 := modelsignals.PostDelete.ConnectFunc(audit)
			for _, f := range []string{"signalsgorm_test.Novel", "signalsgorm_test.Writer"} {
				fail = f
				err := db.Delete(&w).Error
				if !errors.Is(err, errVeto) {
					t.Fatalf("skip=%v fail=%s: err %v", skip, f, err)
				}
				wantCounts(t, db, "Writer=1 Novel=2 Review=3 Genre=1", &Writer{}, &Novel{}, &Review{}, &Genre{})
				got, _ := tp.take()
				if f == "signalsgorm_test.Novel" && len(got) != 4 || f == "signalsgorm_test.Writer" && len(got) != 6 {
					t.Fatalf("fail=%s: signals %v", f, got)
				}
			}
			// The veto in post_delete of the last model: every DELETE ran.
			h1.Disconnect()
			fail = ""
			if err := db.Delete(&w).Error; err != nil {
				t.Fatal(err)
			}
			h2.Disconnect()
			wantCounts(t, db, "Writer=0 Novel=0 Review=0 Genre=7", &Writer{}, &Novel{}, &Review{}, &Genre{})
		}
	})
}

// Inside the caller's transaction the deletion runs in it, without a
// savepoint: its result is visible there, and the caller's rollback undoes
// it.
func TestDeleteInTransaction(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		recordDeletes(t)
		err := db.Transaction(func(tx *gorm.DB) error {
			res, err := signalsgorm.Delete(tx, &w)
			if err != nil || res.Total != 7 {
				t.Errorf("%+v %v", res, err)
			}
			wantCounts(t, tx, "Writer=0 Novel=0", &Writer{}, &Novel{})
			return errVeto
		})
		if !errors.Is(err, errVeto) {
			t.Fatal(err)
		}
		wantCounts(t, db, "Writer=1 Novel=2 Review=3", &Writer{}, &Novel{}, &Review{})

		h := modelsignals.OnPostDelete(func(context.Context, modelsignals.Delete[Review]) error { return errVeto })
		defer h.Disconnect()
		err = db.Transaction(func(tx *gorm.DB) error { return tx.Delete(&w).Error })
		if !errors.Is(err, errVeto) {
			t.Fatal(err)
		}
		wantCounts(t, db, "Writer=1 Novel=2 Review=3", &Writer{}, &Novel{}, &Review{})
	})
}

// Concurrent deletions, each in its own transaction, share the plugin's
// relation graph safely (run with -race). A deletion reads before it
// writes: on SQLite, concurrent ones need immediate transactions
// (_txlock=immediate), or the upgrade of a read lock fails with
// SQLITE_BUSY.
func TestDeleteConcurrent(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		if dialect == "sqlite" {
			db = dbtest.Open(t, "sqlite", dbtest.SQLiteParams("_txlock=immediate"), dbtest.Use(signalsgorm.New()))
			if err := signalsgorm.AutoMigrate(db, deleteModels...); err != nil {
				t.Fatal(err)
			}
		}
		ws := make([]Writer, 4)
		for i := range ws {
			ws[i] = seedWriter(t, db, fmt.Sprint("w", i))
		}
		var sent atomic.Int64
		connect(t, modelsignals.PostDelete, func(context.Context, modelsignals.DeleteEvent) error { sent.Add(1); return nil })
		errs := make(chan error, len(ws))
		for i := range ws {
			go func() { errs <- db.Delete(&ws[i]).Error }()
		}
		for range ws {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if sent.Load() != 4*6 {
			t.Fatalf("%d post_delete", sent.Load())
		}
		wantCounts(t, db, "Writer=0 Novel=0 Review=0 Genre=4", &Writer{}, &Novel{}, &Review{}, &Genre{})
	})
}

// post_delete receivers connected with AfterCommit run once the deletion
// committed, for every object, also in the transaction the collector opens
// itself; never after a rollback.
func TestDeleteAfterCommit(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		cfg := dbtest.Config()
		cfg.SkipDefaultTransaction = true
		for _, db := range []*gorm.DB{nil, dbtest.OpenConfig(t, dialect, cfg)} {
			if db == nil {
				db, _ = openDelete(t, dialect)
			} else {
				if err := db.Use(signalsgorm.New()); err != nil {
					t.Fatal(err)
				}
				if err := signalsgorm.AutoMigrate(db, deleteModels...); err != nil {
					t.Fatal(err)
				}
			}
			w := seedWriter(t, db, "w")
			var committed atomic.Int64
			h := signalsgorm.AfterCommit(modelsignals.PostDelete.ConnectFunc, func(ctx context.Context, ev modelsignals.DeleteEvent) error {
				var n int64
				if err := db.Model(&Writer{}).Count(&n).Error; err != nil || n != 0 {
					t.Errorf("after commit, %d writers (%v)", n, err)
				}
				committed.Add(1)
				return nil
			})
			veto := modelsignals.OnPostDelete(func(context.Context, modelsignals.Delete[Writer]) error { return errVeto })
			if err := db.Delete(&w).Error; !errors.Is(err, errVeto) {
				t.Fatal(err)
			}
			if committed.Load() != 0 {
				t.Fatal("after-commit receivers ran after a rollback")
			}
			veto.Disconnect()
			if err := db.Delete(&w).Error; err != nil {
				t.Fatal(err)
			}
			h.Disconnect()
			if committed.Load() != 6 {
				t.Fatalf("%d after-commit post_delete", committed.Load())
			}
		}
	})
}
