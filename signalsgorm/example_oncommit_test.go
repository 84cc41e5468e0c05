package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// OnCommit defers work until the outermost transaction commits. A nested
// Transaction that fails is rolled back to its savepoint, and the callbacks
// registered in it are dropped with its rows.
func ExampleOnCommit() {
	db := openExample("on_commit", &Book{})
	say := func(s string) func(context.Context) error {
		return func(context.Context) error { fmt.Println(s); return nil }
	}

	err := db.Transaction(func(tx *gorm.DB) error {
		tx.Create(&Book{Title: "Dune"})
		signalsgorm.OnCommit(tx, say("index Dune"))

		tx.Transaction(func(tx *gorm.DB) error {
			tx.Create(&Book{Title: "Draft"})
			signalsgorm.OnCommit(tx, say("index Draft"))
			return errors.New("not ready")
		})

		fmt.Println("end of the transaction function")
		return nil
	})
	fmt.Println("Transaction returned", err)

	// Outside a transaction the callback runs at once.
	signalsgorm.OnCommit(db, say("at once"))
	// Output:
	// end of the transaction function
	// index Dune
	// Transaction returned <nil>
	// at once
}

// A fail-fast callback's error comes out of the commit, as Django's
// default on_commit: the data is committed, the callbacks after it are
// dropped. Robust callbacks (the default) are logged instead.
func ExampleFailFast() {
	db := openExample("fail_fast", &Book{})
	err := db.Transaction(func(tx *gorm.DB) error {
		tx.Create(&Book{Title: "Dune"})
		return signalsgorm.OnCommit(tx, func(context.Context) error {
			return errors.New("search index unreachable")
		}, signalsgorm.FailFast())
	})
	var ce *signalsgorm.CallbackError
	fmt.Println(errors.As(err, &ce), ce.Err)
	var n int64
	db.Model(&Book{}).Count(&n)
	fmt.Println("books:", n)
	// Output:
	// true search index unreachable
	// books: 1
}

// An after-commit receiver gets post_save events only when the transaction
// commits: the place to send an email or queue a task. Inside a receiver,
// OnCommitContext does the same for one piece of work.
func ExampleAfterCommit() {
	db := openExample("after_commit", &Book{})
	h := signalsgorm.AfterCommit(modelsignals.OnPostSave, func(ctx context.Context, ev modelsignals.Save[Book]) error {
		if ev.Created {
			fmt.Printf("queue: announce %q\n", ev.Instance.Title)
		}
		return nil
	})
	defer h.Disconnect()
	fmt.Println(h.Info().Mode)

	db.Transaction(func(tx *gorm.DB) error {
		tx.Create(&Book{Title: "Dune"})
		fmt.Println("created, not committed")
		return nil
	})
	db.Transaction(func(tx *gorm.DB) error {
		tx.Create(&Book{Title: "Never"})
		return errors.New("rolled back")
	})
	db.Create(&Book{Title: "Emma"}) // its own transaction
	// Output:
	// after_commit
	// created, not committed
	// queue: announce "Dune"
	// queue: announce "Emma"
}

// CaptureOnCommit, for tests that run in a transaction they roll back:
// what a block registered, and with Execute, run it.
func ExampleCaptureOnCommit() {
	db := openExample("capture", &Book{})
	h := signalsgorm.AfterCommit(modelsignals.OnPostSave, announce)
	defer h.Disconnect()

	tx := db.Begin()
	defer tx.Rollback()
	cbs, err := signalsgorm.CaptureOnCommit(tx, func(tx *gorm.DB) error {
		return tx.Create(&Book{Title: "Dune"}).Error
	}, signalsgorm.Execute())
	fmt.Println(len(cbs), cbs[0].Name, err)
	// Output:
	// announcing "Dune"
	// 1 signalsgorm_test.announce <nil>
}

func announce(_ context.Context, ev modelsignals.Save[Book]) error {
	fmt.Printf("announcing %q\n", ev.Instance.Title)
	return nil
}

// A signal of your own, sent inside a transaction: NewContext puts the
// transaction into the context, so after-commit receivers wait for the
// commit (and DB(ctx, db) in inline receivers writes in the transaction).
func ExampleNewContext() {
	db := openExample("new_context", &Book{})
	published := signals.New[string]("book_published")
	signalsgorm.AfterCommit(published.ConnectFunc, func(ctx context.Context, title string) error {
		fmt.Printf("tweet: %q is out\n", title)
		return nil
	})

	db.Transaction(func(tx *gorm.DB) error {
		tx.Create(&Book{Title: "Dune"})
		ctx := signalsgorm.NewContext(context.Background(), tx)
		if err := published.Send(ctx, nil, "Dune"); err != nil {
			return err
		}
		fmt.Println("sent, not committed")
		return nil
	})
	// Output:
	// sent, not committed
	// tweet: "Dune" is out
}
