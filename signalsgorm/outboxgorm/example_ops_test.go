package outboxgorm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsdebug"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// Refund is the model of the operator example; its card number is tagged
// sensitive: handlers get it, operator tools never show it.
type Refund struct {
	ID     uint
	Amount int
	Card   string `signals:"sensitive"`
}

// Operators see an outbox on the /debug/signals page: each durable
// receiver's backlog and last error, and the dead letters, their values
// redacted. A handler that overruns DeliveryTimeout has its context
// cancelled, and the attempt fails like an error.
func Example_operatorPanel() {
	db := openExample("outbox_operator", &Refund{})
	ctx := context.Background()
	h := signalsgorm.DurablePostSave("payments.refund", func(ctx context.Context, ev outbox.Event[Refund]) error {
		<-ctx.Done() // the payment service does not answer
		return ctx.Err()
	})
	defer h.Disconnect()
	ob, err := outboxgorm.New(db, outboxgorm.Config{DeliveryTimeout: 10 * time.Millisecond, MaxAttempts: 2,
		Backoff: time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := ob.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	db.Create(&Refund{Amount: 30, Card: "4111 1111 1111 1111"})
	if _, err := ob.RunOnce(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Println(err)
	}

	srv := httptest.NewServer(signalsdebug.Handler(signalsdebug.WithOutbox("main", ob)))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/debug/signals/?format=json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	var page struct{ Durable signalsdebug.Durable }
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range page.Durable.Outboxes[0].Receivers {
		fmt.Printf("%s: %d pending, %d dead (%s)\n", r.Name, r.Pending, r.Dead, r.LastError)
	}
	var preview struct{ Instance map[string]string }
	_ = json.Unmarshal([]byte(page.Durable.Outboxes[0].DeadLetters[0].Preview), &preview)
	fmt.Println(preview.Instance)
	// Output:
	// payments.refund: 0 pending, 1 dead (outboxgorm: delivery to payments.refund timed out after 10ms)
	// map[Amount:[redacted] Card:[sensitive] ID:[redacted]]
}
