package signalsgorm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm"
)

var errForced = errors.New("forced")

// OnCommit refuses a nil callback, as Django's on_commit refuses a
// non-callable (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_raises_exception_non_callable).
func TestOnCommitRefusesNilCallback(t *testing.T) {
	db := open(t, "sqlite")
	if err := signalsgorm.OnCommit(db, nil); !errors.Is(err, signalsgorm.ErrNilCallback) {
		t.Fatalf("OnCommit(nil) = %v, want ErrNilCallback", err)
	}
	if err := signalsgorm.OnCommitContext(context.Background(), func(context.Context) error { return nil }); !errors.Is(err, signalsgorm.ErrNoDB) {
		t.Fatalf("OnCommitContext without a *gorm.DB = %v, want ErrNoDB", err)
	}
}

// Outside a transaction the callback runs at once (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_executes_immediately_if_no_transaction,
// test_robust_if_no_transaction).
func TestOnCommitOutsideTransactionRunsAtOnce(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, logs := openSlogged(t, dialect)
		var c calls
		mustOnCommit(t, db, c.fn("now"))
		c.check(t, "now")

		// Robust: logged, not returned.
		mustOnCommit(t, db, c.fail("robust", errForced))
		c.check(t, "robust")
		if l := logs.Take(); !strings.Contains(l, "error calling on-commit callback") || !strings.Contains(l, "error=forced") {
			t.Fatalf("log = %q", l)
		}
		// Fail-fast: returned.
		err := signalsgorm.OnCommit(db, c.fail("fail-fast", errForced), signalsgorm.FailFast())
		var ce *signalsgorm.CallbackError
		if !errors.As(err, &ce) || !errors.Is(err, errForced) || ce.TxID != 0 {
			t.Fatalf("fail-fast outside a transaction: %v", err)
		}
		c.check(t, "fail-fast")
	})
}

// Callbacks run after the outermost commit, and outside the transaction
// (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_delays_execution_until_after_transaction_commit,
// test_executes_only_after_final_transaction_committed).
func TestOnCommitRunsAfterOutermostCommit(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		var c calls
		err := db.Transaction(func(tx *gorm.DB) error {
			mustOnCommit(t, tx, c.fn("outer"))
			err := tx.Transaction(func(tx *gorm.DB) error {
				mustOnCommit(t, tx, c.fn("inner"))
				return tx.Create(&Tag{Name: "a"}).Error
			})
			c.check(t) // the inner block's end is not a commit
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "outer", "inner")

		// The callback runs after the commit, on the pool: it sees the
		// committed row through another connection, and what it writes
		// through DB(ctx, db) is committed on its own.
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&Tag{Name: "b"}).Error; err != nil {
				return err
			}
			return signalsgorm.OnCommit(tx, func(ctx context.Context) error {
				var n int64
				if err := db.Model(&Tag{}).Where("name = ?", "b").Count(&n).Error; err != nil || n != 1 {
					t.Errorf("in the callback, the committed row: count %d, %v", n, err)
				}
				if _, inTx := signalsgorm.TxID(signalsgorm.DB(ctx, db)); inTx {
					t.Error("the callback's DB is in a transaction")
				}
				return signalsgorm.DB(ctx, db).Create(&Tag{Name: "from-callback"}).Error
			}, signalsgorm.FailFast())
		})
		if err != nil {
			t.Fatal(err)
		}
		checkTags(t, db, "a", "b", "from-callback")
	})
}

// A rollback discards the callbacks, and the queue is empty after every
// commit and rollback (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_does_not_execute_if_transaction_rolled_back,
// test_no_hooks_run_from_failed_transaction,
// test_hooks_cleared_after_successful_commit, test_hooks_cleared_after_rollback).
func TestOnCommitRollbackDiscardsCallbacks(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		var c calls
		err := db.Transaction(func(tx *gorm.DB) error {
			mustOnCommit(t, tx, c.fn("rolled back"))
			tx.Create(&Tag{Name: "x"})
			return errForced
		})
		if !errors.Is(err, errForced) {
			t.Fatal(err)
		}
		tx := db.Begin()
		mustOnCommit(t, tx, c.fn("rolled back too"))
		if err := tx.Rollback().Error; err != nil {
			t.Fatal(err)
		}
		c.check(t)

		// Cleared after a commit: the next transaction runs only its own.
		for _, name := range []string{"first", "second"} {
			if err := db.Transaction(func(tx *gorm.DB) error { return signalsgorm.OnCommit(tx, c.fn(name)) }); err != nil {
				t.Fatal(err)
			}
			c.check(t, name)
		}
		checkTags(t, db)
	})
}

// A rollback to a savepoint discards the callbacks registered since
// (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_discards_hooks_from_rolled_back_savepoint: result [1, 3];
// test_inner_savepoint_rolled_back_with_outer;
// test_inner_savepoint_does_not_affect_outer).
func TestOnCommitSavepointRollbackDiscardsCallbacksSince(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		var c calls
		err := db.Transaction(func(tx *gorm.DB) error {
			mustOnCommit(t, tx, c.fn("1"))
			err := tx.Transaction(func(tx *gorm.DB) error {
				mustOnCommit(t, tx, c.fn("2"))
				tx.Create(&Tag{Name: "2"})
				return errForced
			})
			if !errors.Is(err, errForced) {
				t.Errorf("inner: %v", err)
			}
			mustOnCommit(t, tx, c.fn("3"))
			return tx.Create(&Tag{Name: "3"}).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "1", "3")
		checkTags(t, db, "3")

		// An inner savepoint that succeeded is rolled back with its outer one.
		err = db.Transaction(func(tx *gorm.DB) error {
			mustOnCommit(t, tx, c.fn("kept"))
			tx.Transaction(func(tx *gorm.DB) error {
				tx.Transaction(func(tx *gorm.DB) error { return signalsgorm.OnCommit(tx, c.fn("inner ok")) })
				mustOnCommit(t, tx, c.fn("outer savepoint"))
				return errForced
			})
			// A savepoint rolled back inside a released one leaves the
			// outer one's callbacks alone.
			return tx.Transaction(func(tx *gorm.DB) error {
				mustOnCommit(t, tx, c.fn("before"))
				tx.Transaction(func(tx *gorm.DB) error {
					mustOnCommit(t, tx, c.fn("dropped"))
					return errForced
				})
				return signalsgorm.OnCommit(tx, c.fn("after"))
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "kept", "before", "after")
	})
}

// Without a savepoint (DisableNestedTransaction) the failing inner block
// fails the whole transaction, and every callback is dropped
// (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_no_savepoints_atomic_merged_with_outer).
func TestOnCommitWithoutSavepointFailsWholeTransaction(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		var c calls
		err := db.Transaction(func(tx *gorm.DB) error {
			mustOnCommit(t, tx, c.fn("outer"))
			return tx.Session(&gorm.Session{DisableNestedTransaction: true}).Transaction(func(tx *gorm.DB) error {
				mustOnCommit(t, tx, c.fn("inner"))
				return errForced
			})
		})
		if !errors.Is(err, errForced) {
			t.Fatal(err)
		}
		c.check(t)
	})
}

// Callbacks run in registration order whatever the nesting; a function
// registered twice runs twice (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_runs_hooks_in_order_registered).
func TestOnCommitRunsInRegistrationOrder(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		var c calls
		twice := c.fn("twice")
		err := db.Transaction(func(tx *gorm.DB) error {
			mustOnCommit(t, tx, c.fn("1"))
			tx.Transaction(func(tx *gorm.DB) error {
				mustOnCommit(t, tx, c.fn("2"))
				return tx.Transaction(func(tx *gorm.DB) error { return signalsgorm.OnCommit(tx, c.fn("3")) })
			})
			mustOnCommit(t, tx, twice)
			mustOnCommit(t, tx, twice)
			return signalsgorm.OnCommit(tx, c.fn("4"))
		})
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "1", "2", "3", "twice", "twice", "4")
	})
}

// A fail-fast
// callback's error comes out of the commit, the data is committed, the
// callbacks after it are discarded, and the next transaction is unaffected
// (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_error_in_hook_doesnt_prevent_clearing_hooks).
// A robust callback's error is logged and the next callbacks run
// (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_robust_transaction).
func TestOnCommitFailures(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, logs := openSlogged(t, dialect)
		var c calls
		err := db.Transaction(func(tx *gorm.DB) error {
			tx.Create(&Tag{Name: "committed"})
			mustOnCommit(t, tx, c.fn("1"))
			mustOnCommit(t, tx, c.fail("boom", errForced), signalsgorm.FailFast())
			return signalsgorm.OnCommit(tx, c.fn("discarded"))
		})
		var ce *signalsgorm.CallbackError
		if !errors.As(err, &ce) || !errors.Is(err, errForced) || ce.TxID == 0 || !strings.Contains(ce.Callback, "TestOnCommitFailures") {
			t.Fatalf("Transaction = %v, want a CallbackError wrapping errForced", err)
		}
		c.check(t, "1", "boom")
		checkTags(t, db, "committed")
		if err := db.Transaction(func(tx *gorm.DB) error { return signalsgorm.OnCommit(tx, c.fn("next")) }); err != nil {
			t.Fatal(err)
		}
		c.check(t, "next")

		// The same through Begin/Commit.
		tx := db.Begin()
		mustOnCommit(t, tx, c.fail("boom", errForced), signalsgorm.FailFast())
		if err := tx.Commit().Error; !errors.As(err, &ce) {
			t.Fatalf("Commit = %v", err)
		}
		c.check(t, "boom")

		// Robust (the default): logged, the rest run; panics too.
		err = db.Transaction(func(tx *gorm.DB) error {
			mustOnCommit(t, tx, c.fail("robust", errForced))
			mustOnCommit(t, tx, func(context.Context) error { panic("kaboom") })
			return signalsgorm.OnCommit(tx, c.fn("after"))
		})
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "robust", "after")
		l := logs.Take()
		if strings.Count(l, "error calling on-commit callback") != 2 || !strings.Contains(l, "error=forced") || !strings.Contains(l, "panic: kaboom") || !strings.Contains(l, " tx=") {
			t.Fatalf("log = %q", l)
		}
	})
}

// Callbacks may query and open transactions; OnCommit inside a callback
// runs at once, or after the callback's own transaction commits:
// [1, 11, 2, 12] (tests/transaction_hooks/tests.py, TestConnectionOnCommit.test_db_query_in_hook,
// test_transaction_in_hook, test_hook_in_hook).
func TestOnCommitInsideCallback(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		var c calls
		var hook func(i int, add bool) func(context.Context) error
		hook = func(i int, add bool) func(context.Context) error {
			return func(ctx context.Context) error {
				return signalsgorm.DB(ctx, db).Transaction(func(tx *gorm.DB) error {
					if add {
						mustOnCommit(t, tx, hook(i+10, false))
					}
					tg := Tag{Name: string(rune('0'+i/10)) + string(rune('0'+i%10))}
					if err := tx.Create(&tg).Error; err != nil {
						return err
					}
					c.Add(tg.Name)
					return nil
				})
			}
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			mustOnCommit(t, tx, hook(1, true), signalsgorm.FailFast())
			return signalsgorm.OnCommit(tx, hook(2, true), signalsgorm.FailFast())
		})
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "01", "11", "02", "12")

		// OnCommitContext in a callback: no transaction, so at once.
		err = db.Transaction(func(tx *gorm.DB) error {
			return signalsgorm.OnCommit(tx, func(ctx context.Context) error {
				c.Add("outer")
				if err := signalsgorm.OnCommitContext(ctx, c.fn("nested")); err != nil {
					return err
				}
				c.Add("outer done")
				return nil
			}, signalsgorm.FailFast())
		})
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "outer", "nested", "outer done")
	})
}
