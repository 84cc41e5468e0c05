package outbox_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gosignals/signals/outbox"
)

type Account struct {
	ID       uint
	Email    string
	Password string `signals:"-"`
}

// An envelope is encoded in the sender's transaction and decoded by a
// worker, which hands the typed event to the receiver.
func Example() {
	inst, _ := outbox.MarshalInstance(&Account{ID: 1, Email: "ada@example.com", Password: "secret"})
	env := &outbox.Envelope{
		ID: outbox.NewID(), Signal: "post_save", Model: "shop.Account", PK: "1",
		Created: true, Instance: inst, OccurredAt: time.Now().UTC(),
	}
	payload, _ := outbox.Encode(env)

	var reg outbox.Registry
	_, _ = reg.Register(outbox.Receiver{
		Name: "mail.welcome", Signal: "post_save", Model: "shop.Account",
		Handler: outbox.Typed(func(ctx context.Context, ev outbox.Event[Account]) error {
			fmt.Printf("welcome %s (created=%v, password=%q)\n", ev.Instance.Email, ev.Created, ev.Instance.Password)
			return nil
		}),
	})

	got, err := outbox.Decode(payload)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = reg.Deliver(context.Background(), &outbox.Delivery{Envelope: got, Receiver: "mail.welcome", Attempt: 1})

	_, err = outbox.Decode([]byte(`{"v":2}`))
	fmt.Println(err)
	// Output:
	// welcome ada@example.com (created=true, password="")
	// outbox: unknown envelope version: version 2 (this decoder reads version 1)
}
