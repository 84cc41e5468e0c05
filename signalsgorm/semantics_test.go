package signalsgorm_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// Ticket has a unique column, to make a receiver's write fail in SQL.
type Ticket struct {
	ID   uint
	Code string `gorm:"uniqueIndex;size:64"`
}

// rows counts authors, books and tags.
type rows struct{ authors, books, tags int64 }

func countRows(t *testing.T, db *gorm.DB) rows {
	return rows{count(t, db, &Author{}), count(t, db, &Book{}), count(t, db, &Tag{})}
}

// What a failing receiver undoes, on each database: the documented
// in-transaction semantics of the model signals (doc.go, "# Transactions").
func TestReceiverFailureSemantics(t *testing.T) {
	author := func() *Author { return &Author{Name: "Herbert", Books: []Book{{Title: "Dune"}, {Title: "Messiah"}}} }
	cases := []struct {
		name string
		// pre or post: which save receiver of Book fails.
		pre  bool
		skip bool // SkipDefaultTransaction
		run  func(db *gorm.DB) error
		// ok: run returns nil (the receiver's error was handled inside).
		ok   bool
		want rows
	}{
		// pre_save fails before anything of the object is written; the
		// statement's transaction undoes its author too.
		{name: "pre_save/implicit", pre: true, run: func(db *gorm.DB) error { return db.Create(author()).Error }, want: rows{}},
		// post_save fails after the write: the statement's own
		// transaction rolls back the book and the author saved with it.
		{name: "post_save/implicit", run: func(db *gorm.DB) error { return db.Create(author()).Error }, want: rows{}},
		// Without a transaction every statement is committed as it runs.
		{name: "post_save/SkipDefaultTransaction", skip: true, run: func(db *gorm.DB) error { return db.Create(author()).Error }, want: rows{1, 2, 0}},
		// In db.Transaction the statement returns the error; returning it
		// rolls everything back.
		{name: "post_save/Transaction returned", run: func(db *gorm.DB) error {
			return db.Transaction(func(tx *gorm.DB) error {
				tx.Create(&Tag{Name: "before"})
				return tx.Create(author()).Error
			})
		}, want: rows{}},
		// Ignoring it commits what the statement wrote: GORM does not
		// undo a statement inside a transaction it did not begin.
		{name: "post_save/Transaction ignored", run: func(db *gorm.DB) error {
			return db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Create(author()).Error; !errors.Is(err, errForced) {
					return errors.New("the receiver's error was lost")
				}
				return nil
			})
		}, ok: true, want: rows{1, 2, 0}},
		// A nested Transaction is a savepoint: the failure undoes only it.
		{name: "post_save/nested Transaction", run: func(db *gorm.DB) error {
			return db.Transaction(func(tx *gorm.DB) error {
				tx.Create(&Tag{Name: "kept"})
				if err := tx.Transaction(func(tx *gorm.DB) error { return tx.Create(author()).Error }); !errors.Is(err, errForced) {
					return errors.New("the receiver's error was lost")
				}
				return nil
			})
		}, ok: true, want: rows{0, 0, 1}},
	}
	each(t, func(t *testing.T, dialect string) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				db := open(t, dialect)
				if tc.skip {
					db = db.Session(&gorm.Session{SkipDefaultTransaction: true})
				}
				fail := func(_ context.Context, ev modelsignals.Save[Book]) error {
					if ev.Instance.Title == "Dune" {
						return errForced
					}
					return nil
				}
				var h interface{ Disconnect() bool }
				if tc.pre {
					h = modelsignals.OnPreSave(fail)
				} else {
					h = modelsignals.OnPostSave(fail)
				}
				t.Cleanup(func() { h.Disconnect() })
				err := tc.run(db)
				if tc.ok && err != nil || !tc.ok && !errors.Is(err, errForced) {
					t.Fatalf("error = %v (ok: %v)", err, tc.ok)
				}
				if got := countRows(t, db); got != tc.want {
					t.Fatalf("rows (authors, books, tags) = %v, want %v", got, tc.want)
				}
			})
		}
	})
}

// A receiver whose own write fails in SQL, inside a db.Transaction whose
// function goes on: PostgreSQL aborts the whole transaction (every later
// statement fails and the COMMIT rolls back, so on-commit callbacks are
// dropped); SQLite and MariaDB undo the failing statement only, and the
// rest, the object whose receiver failed included, commits.
func TestReceiverSQLErrorInTransaction(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		if err := db.AutoMigrate(&Ticket{}); err != nil {
			t.Fatal(err)
		}
		db.Create(&Ticket{Code: "taken"})
		connect(t, modelsignals.PostSave, func(ctx context.Context, ev modelsignals.SaveEvent) error {
			if _, ok := ev.Instance.(*Book); !ok {
				return nil
			}
			return signalsgorm.DB(ctx, nil).Create(&Ticket{Code: "taken"}).Error
		})
		var c calls
		err := db.Transaction(func(tx *gorm.DB) error {
			tx.Create(&Tag{Name: "before"})
			mustOnCommit(t, tx, c.fn("committed"))
			if err := tx.Create(&Book{Title: "Dune"}).Error; err == nil {
				t.Error("the receiver's unique violation was lost")
			}
			tx.Create(&Tag{Name: "after"})
			return nil
		})
		if dialect == "postgres" {
			if err == nil {
				t.Fatal("PostgreSQL committed an aborted transaction")
			}
			c.check(t)
			if got := countRows(t, db); got != (rows{}) {
				t.Fatalf("rows = %v, want none", got)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "committed")
		if got := countRows(t, db); got != (rows{0, 1, 2}) {
			t.Fatalf("rows = %v, want the book and both tags", got)
		}
	})
}

// MariaDB commits a transaction implicitly before DDL. The plugin does not
// see that commit: the callbacks wait for the transaction's end, and a
// rollback then drops them although the rows before the DDL were
// committed (documented in doc.go, "# On commit").
func TestMariaDBImplicitCommit(t *testing.T) {
	db := open(t, "mariadb")
	var c calls
	tx := db.Begin()
	tx.Create(&Tag{Name: "before DDL"})
	mustOnCommit(t, tx, c.fn("cb"))
	if err := tx.Exec("CREATE TABLE ddl_probe (id INT)").Error; err != nil {
		t.Fatal(err)
	}
	c.check(t)
	tx.Rollback()
	c.check(t)
	checkTags(t, db, "before DDL")
}

// The same rules for the other signals sent inside a write: post_update of
// a conditional update and m2m_changed's post_add fail after the write; in
// the write's own transaction it is rolled back, without a transaction it
// stays, and inside db.Transaction it stays unless the error is returned.
func TestReceiverFailureSemanticsUpdateM2M(t *testing.T) {
	modes := []struct {
		name string
		run  func(db *gorm.DB, write func(*gorm.DB) error) error
		kept bool
	}{
		{"implicit", func(db *gorm.DB, write func(*gorm.DB) error) error { return write(db) }, false},
		{"SkipDefaultTransaction", func(db *gorm.DB, write func(*gorm.DB) error) error {
			return write(db.Session(&gorm.Session{SkipDefaultTransaction: true}))
		}, true},
		{"Transaction ignored", func(db *gorm.DB, write func(*gorm.DB) error) error {
			var err error
			if terr := db.Transaction(func(tx *gorm.DB) error { err = write(tx); return nil }); terr != nil {
				return terr
			}
			return err
		}, true},
	}
	each(t, func(t *testing.T, dialect string) {
		for _, m := range modes {
			t.Run(m.name+"/post_update", func(t *testing.T) {
				db := open(t, dialect)
				db.Create(&[]Book{{Title: "a", Pages: 1}, {Title: "b", Pages: 1}})
				connect(t, modelsignals.PostUpdate, func(context.Context, modelsignals.UpdateEvent) error { return errForced })
				err := m.run(db, func(tx *gorm.DB) error {
					return tx.Model(&Book{}).Where("pages = ?", 1).Update("pages", 2).Error
				})
				if !errors.Is(err, errForced) {
					t.Fatalf("error = %v", err)
				}
				want := map[bool]int64{true: 2, false: 0}[m.kept]
				if n := count(t, db.Where("pages = ?", 2), &Book{}); n != want {
					t.Fatalf("%d rows updated, want %d", n, want)
				}
			})
			t.Run(m.name+"/m2m post_add", func(t *testing.T) {
				db := open(t, dialect)
				connect(t, modelsignals.M2MChanged, func(_ context.Context, ev modelsignals.M2MEvent) error {
					if ev.Action == modelsignals.PostAdd {
						return errForced
					}
					return nil
				})
				err := m.run(db, func(tx *gorm.DB) error {
					return tx.Create(&Book{Title: "Dune", Tags: []Tag{{Name: "sf"}, {Name: "classic"}}}).Error
				})
				if !errors.Is(err, errForced) {
					t.Fatalf("error = %v", err)
				}
				var links int64
				if err := db.Table("book_tags").Count(&links).Error; err != nil {
					t.Fatal(err)
				}
				got := rows{books: count(t, db, &Book{}), tags: count(t, db, &Tag{}), authors: links}
				want := rows{}
				if m.kept {
					want = rows{books: 1, tags: 2, authors: 2}
				}
				if got != want {
					t.Fatalf("books, tags, links = %d, %d, %d; want %d, %d, %d", got.books, got.tags, got.authors, want.books, want.tags, want.authors)
				}
			})
		}
	})
}
