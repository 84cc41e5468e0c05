package signalsgorm_test

import (
	"context"
	"fmt"
	"log/slog"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// Subscriber is the model of the conditional durable receiver example.
type Subscriber struct {
	ID    uint
	Email string
}

// A durable receiver that only cares about creations: with the Created
// condition, updates write nothing to the outbox, where DurablePostSave
// would write a row for every save and let the handler skip it.
func ExampleDurablePostSaveIf() {
	db := openExample("durable_if", &Subscriber{})
	ctx := context.Background()
	h := signalsgorm.DurablePostSaveIf("newsletter.confirm", signalsgorm.Created, func(ctx context.Context, ev outbox.Event[Subscriber]) error {
		fmt.Println("confirmation mail to", ev.Instance.Email)
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

	s := Subscriber{Email: "ada@example.com"}
	db.Create(&s)
	db.Model(&s).Update("Email", "ada@lovelace.example")
	db.Model(&s).Update("Email", "ada@analytical.example")

	var rows int64
	db.Session(&gorm.Session{NewDB: true}).Table(outboxgorm.Table).Count(&rows)
	fmt.Println("outbox rows:", rows)
	n, err := ob.RunOnce(ctx)
	fmt.Println("delivered:", n, err)
	// Output:
	// outbox rows: 1
	// confirmation mail to ada@example.com
	// delivered: 1 <nil>
}
