package signalsgorm_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// A receiver that writes through the application's *gorm.DB, with the
// context it got, writes in the statement's transaction, as Django's
// receivers share the sender's connection: on SQLite it does not wait
// for the write lock the statement holds, on PostgreSQL and MariaDB its
// foreign key sees the uncommitted book, and its row commits or rolls
// back with the statement.
func TestJoinReceiverWrites(t *testing.T) {
	eachJoin(t, func(t *testing.T, v joinVariant, db, app *gorm.DB) {
		onBookSaved(t, audit(app))
		if err := db.Create(&Book{Title: "Dune"}).Error; err != nil {
			t.Fatal(err)
		}
		checkNotes(t, db, "Dune")

		// The statement's transaction rolls back: the receiver's row too.
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&Book{Title: "Rolled back"}).Error; err != nil {
				return err
			}
			return errForced
		})
		if !errors.Is(err, errForced) {
			t.Fatal(err)
		}
		checkNotes(t, db, "Dune")

		// A later receiver fails: GORM's transaction of the write rolls
		// back with the receiver's row; without one
		// (SkipDefaultTransaction), both were committed as they ran, as in
		// Django.
		onBookSaved(t, func(context.Context, modelsignals.Save[Book]) error { return errForced })
		if err := db.Create(&Book{Title: "Failed"}).Error; !errors.Is(err, errForced) {
			t.Fatalf("Create = %v", err)
		}
		if v.name == "SkipDefaultTransaction" {
			checkNotes(t, db, "Dune", "Failed")
			if count(t, db, &Book{}) != 2 {
				t.Fatal("the book of the failed write was not kept")
			}
			return
		}
		checkNotes(t, db, "Dune")
		if count(t, db, &Book{}) != 1 {
			t.Fatal("the failed write was kept")
		}
	})
}

// Every kind of statement a receiver issues through the application's
// *gorm.DB with its context runs in the statement's transaction: it sees
// the uncommitted book, which no other connection does, and what it
// writes rolls back with the transaction.
func TestJoinStatementKinds(t *testing.T) {
	const q = "SELECT COUNT(*) FROM books WHERE id = ?"
	kinds := []struct {
		name string
		run  func(db *gorm.DB, id uint) (seen int64, err error)
	}{
		{"Count", func(db *gorm.DB, id uint) (n int64, err error) {
			return n, db.Model(&Book{}).Where("id = ?", id).Count(&n).Error
		}},
		{"First", func(db *gorm.DB, id uint) (int64, error) {
			var b Book
			err := db.First(&b, id).Error
			return int64(b.ID / id), err
		}},
		{"Raw.Scan", func(db *gorm.DB, id uint) (n int64, err error) { return n, db.Raw(q, id).Scan(&n).Error }},
		{"Row", func(db *gorm.DB, id uint) (n int64, err error) { return n, db.Raw(q, id).Row().Scan(&n) }},
		{"Rows", func(db *gorm.DB, id uint) (n int64, err error) {
			rows, err := db.Raw(q, id).Rows()
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			rows.Next()
			return n, rows.Scan(&n)
		}},
		{"Exec", func(db *gorm.DB, id uint) (int64, error) {
			res := db.Exec("INSERT INTO audit_entries (book_id, note) VALUES (?, ?)", id, "Exec")
			return res.RowsAffected, res.Error
		}},
		{"Session.Create", func(db *gorm.DB, id uint) (int64, error) {
			res := db.Session(&gorm.Session{}).Create(&AuditEntry{BookID: &id, Note: "Session.Create"})
			return res.RowsAffected, res.Error
		}},
	}
	eachJoin(t, func(t *testing.T, v joinVariant, db, app *gorm.DB) {
		seen := map[string]int64{}
		onBookSaved(t, func(ctx context.Context, ev modelsignals.Save[Book]) error {
			for _, k := range kinds {
				n, err := k.run(app.WithContext(ctx), ev.Instance.ID)
				if err != nil {
					return fmt.Errorf("%s: %w", k.name, err)
				}
				seen[k.name] = n
			}
			return nil
		})
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&Book{Title: "Dune"}).Error; err != nil {
				return err
			}
			checkNotes(t, db) // nothing visible outside the transaction
			return errForced
		})
		if !errors.Is(err, errForced) {
			t.Fatal(err)
		}
		for _, k := range kinds {
			if seen[k.name] != 1 {
				t.Errorf("%s saw %d rows, want the uncommitted book", k.name, seen[k.name])
			}
		}
		checkNotes(t, db)
	})
}

// db.Transaction in a receiver, through the application's *gorm.DB, is a
// savepoint of the statement's transaction, as Django's nested atomic
// blocks are: rolled back alone, its on-commit callbacks dropped with it,
// on the transaction's ID; on PostgreSQL the rollback to it recovers the
// transaction from a failed statement.
func TestJoinNestedTransaction(t *testing.T) {
	eachJoin(t, func(t *testing.T, v joinVariant, db, app *gorm.DB) {
		var c calls
		var inner []error
		onBookSaved(t, func(ctx context.Context, ev modelsignals.Save[Book]) error {
			outer := AuditEntry{Note: "outer"}
			if err := app.WithContext(ctx).Create(&outer).Error; err != nil {
				return err
			}
			inner = append(inner, app.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				if id, _ := signalsgorm.TxID(tx); id != txID(ctx) {
					t.Errorf("nested transaction %d, want the statement's %d", id, txID(ctx))
				}
				tx.Create(&AuditEntry{Note: "rolled back"})
				mustOnCommit(t, tx, c.fn("dropped"))
				// A failing statement: on PostgreSQL it aborts the transaction.
				if err := tx.Exec("INSERT INTO audit_entries (id, note) VALUES (?, 'duplicate')", outer.ID).Error; err == nil {
					t.Error("a duplicate key was accepted")
				}
				return errForced
			}))
			inner = append(inner, app.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				mustOnCommit(t, tx, c.fn("kept"))
				return tx.Transaction(func(tx *gorm.DB) error { // GORM's own savepoint, inside
					return tx.Create(&AuditEntry{Note: "kept"}).Error
				})
			}))
			// Begin, Rollback: the same.
			tx := app.WithContext(ctx).Begin()
			tx.Create(&AuditEntry{Note: "begin-rolled-back"})
			inner = append(inner, tx.Rollback().Error)
			return nil
		})
		if err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&Book{Title: "Dune"}).Error; err != nil {
				return err
			}
			c.check(t) // nothing before the outermost commit
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(inner) != 3 || !errors.Is(inner[0], errForced) || inner[1] != nil || inner[2] != nil {
			t.Fatalf("nested transactions returned %v", inner)
		}
		c.check(t, "kept")
		checkNotes(t, db, "outer", "kept")
	})
}

// A nested transaction cannot have options of its own: a savepoint has
// the isolation of its transaction.
func TestJoinNestedTransactionOptions(t *testing.T) {
	db, app := openJoin(t, "sqlite", joinVariants[0])
	var got error
	onBookSaved(t, func(ctx context.Context, ev modelsignals.Save[Book]) error {
		got = app.WithContext(ctx).Transaction(func(*gorm.DB) error { return nil }, &sql.TxOptions{ReadOnly: true})
		return nil
	})
	if err := db.Create(&Book{Title: "Dune"}).Error; err != nil {
		t.Fatal(err)
	}
	if got == nil || !strings.Contains(got.Error(), "savepoint") || !strings.Contains(got.Error(), "signalsgorm.Detached") {
		t.Fatalf("Transaction(ReadOnly) in a receiver = %v", got)
	}
}

// A write with a Detached context runs on its own: it survives the
// rollback of the statement whose receiver made it. Here a pre_save
// receiver records the refusal of a write it refuses.
func TestJoinDetached(t *testing.T) {
	eachJoin(t, func(t *testing.T, v joinVariant, db, app *gorm.DB) {
		h := modelsignals.OnPreSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
			if ev.Instance.Title != "Refused" {
				return nil
			}
			d := signalsgorm.Detached(ctx)
			if signalsgorm.DB(d, nil) != nil {
				t.Error("DB of a detached context is not nil")
			}
			if err := signalsgorm.OnCommitContext(d, func(context.Context) error { return nil }); !errors.Is(err, signalsgorm.ErrNoDB) {
				t.Errorf("OnCommitContext of a detached context = %v", err)
			}
			if err := app.WithContext(d).Create(&AuditEntry{Note: "refused"}).Error; err != nil {
				return err
			}
			return errForced
		})
		t.Cleanup(func() { h.Disconnect() })
		if err := db.Create(&Book{Title: "Refused"}).Error; !errors.Is(err, errForced) {
			t.Fatalf("Create = %v", err)
		}
		checkNotes(t, db, "refused")
		if count(t, db, &Book{}) != 0 {
			t.Fatal("the refused book was written")
		}
	})
}

// A context kept after its statement's transaction ended (by a goroutine
// the receiver started) is refused: its statements fail with an error
// wrapping sql.ErrTxDone that names Detached, and write nothing, rather
// than land outside the transaction they were meant for.
func TestJoinStaleContext(t *testing.T) {
	eachJoin(t, func(t *testing.T, v joinVariant, db, app *gorm.DB) {
		var kept context.Context
		ended := make(chan struct{})
		late := make(chan error, 1)
		onBookSaved(t, func(ctx context.Context, ev modelsignals.Save[Book]) error {
			kept = ctx
			go func() {
				<-ended
				late <- app.WithContext(ctx).Create(&AuditEntry{Note: "goroutine"}).Error
			}()
			return nil
		})
		if err := db.Transaction(func(tx *gorm.DB) error { return tx.Create(&Book{Title: "Dune"}).Error }); err != nil {
			t.Fatal(err)
		}
		close(ended)
		stale := []struct {
			name string
			err  error
		}{
			{"goroutine", <-late},
			{"Create", app.WithContext(kept).Create(&AuditEntry{Note: "Create"}).Error},
			{"Exec", app.WithContext(kept).Exec("INSERT INTO audit_entries (note) VALUES ('Exec')").Error},
			{"First", app.WithContext(kept).First(&Book{}).Error},
			{"Raw.Scan", app.WithContext(kept).Raw("SELECT 1").Scan(new(int)).Error},
			{"Row", app.WithContext(kept).Raw("SELECT 1").Row().Scan(new(int))},
			{"Transaction", app.WithContext(kept).Transaction(func(*gorm.DB) error { return nil })},
		}
		for _, s := range stale {
			if !errors.Is(s.err, sql.ErrTxDone) {
				t.Errorf("%s with a stale context = %v, want sql.ErrTxDone", s.name, s.err)
			} else if s.name != "Row" && !strings.Contains(s.err.Error(), "signalsgorm.Detached") {
				t.Errorf("%s: the error does not name Detached: %v", s.name, s.err)
			}
		}
		checkNotes(t, db)
		// Detached, the same context writes.
		if err := app.WithContext(signalsgorm.Detached(kept)).Create(&AuditEntry{Note: "detached"}).Error; err != nil {
			t.Fatal(err)
		}
		checkNotes(t, db, "detached")
	})
}

// On-commit callbacks and after-commit receivers run after the
// transaction ended: their statements, through the application's
// *gorm.DB with the context they get, run on their own, neither joining
// nor refused.
func TestJoinAfterCommitWrites(t *testing.T) {
	eachJoin(t, func(t *testing.T, v joinVariant, db, app *gorm.DB) {
		var acErr error
		h := signalsgorm.AfterCommit(modelsignals.OnPostSave, func(ctx context.Context, ev modelsignals.Save[Book]) error {
			id := ev.Instance.ID
			acErr = app.WithContext(ctx).Create(&AuditEntry{BookID: &id, Note: "after-commit " + ev.Instance.Title}).Error
			return acErr
		})
		t.Cleanup(func() { h.Disconnect() })
		onBookSaved(t, func(ctx context.Context, ev modelsignals.Save[Book]) error {
			id, title := ev.Instance.ID, ev.Instance.Title
			return signalsgorm.OnCommitContext(ctx, func(ctx context.Context) error {
				return app.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					return tx.Create(&AuditEntry{BookID: &id, Note: "on-commit " + title}).Error
				})
			}, signalsgorm.FailFast())
		})
		if err := db.Create(&Book{Title: "A"}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Transaction(func(tx *gorm.DB) error { return tx.Create(&Book{Title: "B"}).Error }); err != nil {
			t.Fatal(err)
		}
		if acErr != nil {
			t.Fatal(acErr)
		}
		checkNotes(t, db, "after-commit A", "on-commit A", "after-commit B", "on-commit B")
	})
}

// Statements join only transactions of their own database: a receiver
// writing to another database runs there on its own.
func TestJoinOtherDatabase(t *testing.T) {
	db, _ := openJoin(t, "sqlite", joinVariants[0])
	other, _ := openJoin(t, "sqlite", joinVariants[0])
	onBookSaved(t, func(ctx context.Context, ev modelsignals.Save[Book]) error {
		return other.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return tx.Create(&AuditEntry{Note: ev.Instance.Title}).Error
		})
	})
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&Book{Title: "Dune"}).Error; err != nil {
			return err
		}
		return errForced
	})
	if !errors.Is(err, errForced) {
		t.Fatal(err)
	}
	checkNotes(t, other, "Dune")
	checkNotes(t, db)
}
