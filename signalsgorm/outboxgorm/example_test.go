package outboxgorm_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// openExample opens an in-memory SQLite database with the plugin installed
// and the models migrated.
func openExample(name string, models ...any) *gorm.DB {
	db := dbtest.Memory(name)
	if err := db.Use(signalsgorm.New()); err != nil {
		panic(err)
	}
	if err := db.AutoMigrate(models...); err != nil {
		panic(err)
	}
	return db
}

// Invoice is the model of the examples.
type Invoice struct {
	ID     uint
	Amount int
}

// An event its receiver cannot handle goes to the dead letters, where it
// waits until the receiver is fixed and the event replayed.
func Example_deadLetters() {
	db := openExample("outbox_dead_letters", &Invoice{})
	ctx := context.Background()

	fixed := false
	h := signalsgorm.DurablePostSave("billing.send_invoice", func(ctx context.Context, ev outbox.Event[Invoice]) error {
		if !fixed {
			return outbox.Permanent(errors.New("no template for this invoice"))
		}
		fmt.Println("invoice sent:", ev.Instance.Amount)
		return nil
	})
	defer h.Disconnect()

	ob, err := outboxgorm.New(db, outboxgorm.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := ob.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	db.Create(&Invoice{Amount: 120})

	n, _ := ob.RunOnce(ctx)
	dead, _ := ob.DeadLetters(ctx, "billing.send_invoice", 10)
	fmt.Println("delivered:", n, "dead:", len(dead), dead[0].Error)

	fixed = true
	requeued, _ := ob.Replay(ctx, dead[0].ID)
	n, _ = ob.RunOnce(ctx)
	fmt.Println("replayed:", requeued, "delivered:", n)
	// Output:
	// delivered: 0 dead: 1 no template for this invoice
	// invoice sent: 120
	// replayed: 1 delivered: 1
}

// Counter counts what the Once example applied.
type Counter struct {
	ID   uint
	Name string
	N    int
}

// Once applies a handler's database effect once, however often the event
// is delivered: here the same delivery is handled twice, as after a
// worker's crash between the handler's success and the row's update.
func ExampleOnce() {
	db := openExample("outbox_once", &Counter{})
	ctx := context.Background()
	if err := outboxgorm.MigrateOnce(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	db.Create(&Counter{Name: "invoices"})

	handle := func(ctx context.Context) {
		applied, err := outboxgorm.Once(ctx, db, func(tx *gorm.DB) error {
			return tx.Model(&Counter{}).Where("name = ?", "invoices").Update("n", gorm.Expr("n + 1")).Error
		})
		fmt.Println("applied:", applied, err)
	}
	d := &outbox.Delivery{Envelope: &outbox.Envelope{ID: outbox.NewID()}, Receiver: "stats.count_invoices", Attempt: 1}
	handle(outbox.NewContext(ctx, d))
	d.Attempt = 2
	handle(outbox.NewContext(ctx, d))

	var c Counter
	db.First(&c, "name = ?", "invoices")
	fmt.Println("invoices counted:", c.N)
	// Output:
	// applied: true <nil>
	// applied: false <nil>
	// invoices counted: 1
}
