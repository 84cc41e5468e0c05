package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// A receiver writes through the application's *gorm.DB with the context it
// got, as GORM code always does: the row is written in the statement's
// transaction, on its connection, and commits or rolls back with it, as
// a Django receiver's queries do.
func Example_receiverJoinsTransaction() {
	db := openExample("join", &Book{}, &Notification{})
	h := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
		return db.WithContext(ctx).Create(&Notification{Message: "saved " + ev.Instance.Title}).Error
	})
	defer h.Disconnect()

	db.Create(&Book{Title: "Dune"})
	db.Transaction(func(tx *gorm.DB) error {
		tx.Create(&Book{Title: "Draft"})
		return errors.New("changed my mind") // the book and its notification roll back
	})

	var msgs []string
	db.Model(&Notification{}).Order("id").Pluck("message", &msgs)
	fmt.Println(msgs)
	// Output:
	// [saved Dune]
}

// A write with a Detached context runs on its own and survives the
// rollback of the statement whose receiver made it: here a pre_save
// receiver records the write it refuses.
func ExampleDetached() {
	db := openExample("detached", &Book{}, &Notification{})
	errTooLong := errors.New("too long")
	h := modelsignals.OnPreSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
		if ev.Instance.Pages <= 1000 {
			return nil
		}
		msg := fmt.Sprintf("refused %q (%d pages)", ev.Instance.Title, ev.Instance.Pages)
		if err := db.WithContext(signalsgorm.Detached(ctx)).Create(&Notification{Message: msg}).Error; err != nil {
			return err
		}
		return errTooLong
	})
	defer h.Disconnect()

	err := db.Create(&Book{Title: "Infinite Jest", Pages: 1079}).Error
	fmt.Println("refused:", errors.Is(err, errTooLong))

	var books int64
	db.Model(&Book{}).Count(&books)
	var msgs []string
	db.Model(&Notification{}).Pluck("message", &msgs)
	fmt.Println("books:", books, msgs)
	// Output:
	// refused: true
	// books: 0 [refused "Infinite Jest" (1079 pages)]
}
