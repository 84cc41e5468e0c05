package signalsgorm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// beginTest begins a transaction rolled back when the test ends, as
// Django's TestCase does.
func beginTest(t *testing.T, db *gorm.DB) *gorm.DB {
	t.Helper()
	tx := db.Begin()
	if tx.Error != nil {
		t.Fatal(tx.Error)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

// As Django's captureOnCommitCallbacks (tests/test_utils/tests.py,
// CaptureOnCommitCallbacksTests.test_no_arguments, test_pre_callback and
// test_with_rolled_back_savepoint): what the block registered, in order;
// not what was registered before, nor what a savepoint rollback dropped. The
// callbacks are not run, then or at the commit.
func TestCaptureOnCommit(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		tx := db.Begin()
		var c calls
		mustOnCommit(t, tx, c.fn("before"))
		cbs, err := signalsgorm.CaptureOnCommit(tx, func(tx *gorm.DB) error {
			mustOnCommit(t, tx, c.fn("1"))
			tx.Transaction(func(tx *gorm.DB) error {
				mustOnCommit(t, tx, c.fn("rolled back"))
				return errForced
			})
			return signalsgorm.OnCommit(tx, c.fn("2"), signalsgorm.FailFast())
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(cbs) != 2 || cbs[0].FailFast || !cbs[1].FailFast {
			t.Fatalf("captured %+v", cbs)
		}
		c.check(t)
		if err := cbs[1].Run(); err != nil {
			t.Fatal(err)
		}
		c.check(t, "2")
		if err := tx.Commit().Error; err != nil {
			t.Fatal(err)
		}
		c.check(t, "before")

		if _, err := signalsgorm.CaptureOnCommit(db, func(*gorm.DB) error { return nil }); !errors.Is(err, signalsgorm.ErrNoTransaction) {
			t.Fatalf("CaptureOnCommit outside a transaction = %v", err)
		}
	})
}

// As Django's CaptureOnCommitCallbacksTests.test_execute,
// test_execute_recursive and test_execute_tree (tests/test_utils/tests.py): with
// Execute the callbacks run in the transaction, and those they register run
// after them, breadth first: [branch_1, branch_2, leaf_3, leaf_1, leaf_2].
func TestCaptureOnCommitExecute(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		tx := beginTest(t, db)
		var c calls
		leaf := func(name string) func(context.Context) error { return c.fn(name) }
		branch2 := func(ctx context.Context) error {
			c.Add("branch_2")
			signalsgorm.OnCommitContext(ctx, leaf("leaf_1"))
			return signalsgorm.OnCommitContext(ctx, leaf("leaf_2"))
		}
		branch1 := func(ctx context.Context) error {
			c.Add("branch_1")
			// It runs in the transaction and sees its rows.
			if n := count(t, signalsgorm.DB(ctx, nil), &Tag{}); n != 1 {
				t.Errorf("the callback sees %d tags, want 1", n)
			}
			signalsgorm.OnCommitContext(ctx, branch2)
			return signalsgorm.OnCommitContext(ctx, leaf("leaf_3"))
		}
		cbs, err := signalsgorm.CaptureOnCommit(tx, func(tx *gorm.DB) error {
			tx.Create(&Tag{Name: "uncommitted"})
			return signalsgorm.OnCommit(tx, branch1)
		}, signalsgorm.Execute())
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "branch_1", "branch_2", "leaf_3", "leaf_1", "leaf_2")
		// The callbacks run, in the order run: branch_1, branch_2 and
		// three leaves, all made by calls.fn.
		if len(cbs) != 5 || cbs[0].Name == cbs[1].Name || !strings.Contains(cbs[2].Name, "(*calls).fn") ||
			cbs[2].Name != cbs[3].Name || cbs[3].Name != cbs[4].Name {
			t.Fatalf("captured %+v", cbs)
		}
	})
}

// As Django's CaptureOnCommitCallbacksTests.test_execute_robust
// (tests/test_utils/tests.py): a robust callback's error is logged and the
// run goes on; a fail-fast one stops it and is returned. An after-commit
// receiver's deliveries are captured under the receiver's name.
func TestCaptureOnCommitFailures(t *testing.T) {
	db, logs := openSlogged(t, "sqlite")
	tx := beginTest(t, db)
	var c calls
	_, err := signalsgorm.CaptureOnCommit(tx, func(tx *gorm.DB) error {
		mustOnCommit(t, tx, c.fail("robust", errForced))
		mustOnCommit(t, tx, c.fail("fail-fast", errForced), signalsgorm.FailFast())
		return signalsgorm.OnCommit(tx, c.fn("not run"))
	}, signalsgorm.Execute())
	var ce *signalsgorm.CallbackError
	if !errors.As(err, &ce) || !errors.Is(err, errForced) {
		t.Fatalf("CaptureOnCommit = %v", err)
	}
	c.check(t, "robust", "fail-fast")
	if l := logs.Take(); strings.Count(l, "error calling on-commit callback") != 1 {
		t.Fatalf("log = %q", l)
	}

	// fn's error is returned, and nothing is executed.
	_, err = signalsgorm.CaptureOnCommit(tx, func(tx *gorm.DB) error {
		mustOnCommit(t, tx, c.fn("not run"))
		return errForced
	}, signalsgorm.Execute())
	if !errors.Is(err, errForced) {
		t.Fatal(err)
	}
	c.check(t)

	h := signalsgorm.AfterCommit(modelsignals.OnPostSave, sendReceipt)
	t.Cleanup(func() { h.Disconnect() })
	cbs, err := signalsgorm.CaptureOnCommit(tx, func(tx *gorm.DB) error {
		return tx.Create(&Book{Title: "Dune"}).Error
	})
	if err != nil || len(cbs) != 1 || !strings.HasSuffix(cbs[0].Name, ".sendReceipt") {
		t.Fatalf("captured %+v, %v", cbs, err)
	}
}

func sendReceipt(context.Context, modelsignals.Save[Book]) error { return nil }
