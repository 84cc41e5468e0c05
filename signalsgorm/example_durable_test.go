package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// Member is the model of the welcome e-mail example.
type Member struct {
	ID       uint
	Email    string
	Password string `signals:"-"` // never written to the outbox
}

// A welcome e-mail sent by a durable post_save receiver: Django's "send a
// welcome email when a user is created", without making the save wait for
// the mail server. The event is written to the outbox in
// the save's transaction; a rollback sends nothing; the worker retries a
// failing send and delivers the event at least once, with an idempotency
// key for the mail service.
func ExampleDurablePostSave() {
	db := openExample("durable_welcome", &Member{})
	ctx := context.Background()

	smtpUp := false
	h := signalsgorm.DurablePostSave("accounts.welcome_email", func(ctx context.Context, ev outbox.Event[Member]) error {
		if !ev.Created {
			return nil // only new users get a welcome
		}
		if !smtpUp {
			smtpUp = true // the first attempt fails; the worker retries
			return errors.New("smtp: connection refused")
		}
		fmt.Printf("welcome mail to %s (attempt %d, password %q)\n", ev.Instance.Email, ev.Delivery.Attempt, ev.Instance.Password)
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

	// A sign-up that fails: no mail.
	_ = db.Transaction(func(tx *gorm.DB) error {
		tx.Create(&Member{Email: "mallory@example.com"})
		return errors.New("captcha failed")
	})
	// A sign-up that succeeds, and a later update: one mail.
	u := Member{Email: "ada@example.com", Password: "s3cret"}
	db.Create(&u)
	db.Model(&u).Update("Email", "ada@lovelace.example")

	// In production: go ob.Run(ctx). Here, one pass:
	n, err := ob.RunOnce(ctx)
	fmt.Println("delivered:", n, err)
	// Output:
	// welcome mail to ada@example.com (attempt 2, password "")
	// delivered: 2 <nil>
}
