package signals_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gosignals/signals"
)

// A receiver connected under a name for a sender that does not exist yet:
// the package that sends the signal aliases the name to the real sender
// once it knows it, and the receiver is called by its sends, in order
// with the other receivers.
func ExampleSignal_Alias() {
	type field struct{ model, name string }
	changed := signals.New[string]("changed")
	ctx := context.Background()
	changed.ConnectFunc(func(_ context.Context, ev string) error {
		fmt.Println("Post.Tags:", ev)
		return nil
	}, signals.Sender(field{"Post", "Tags"}))
	changed.ConnectFunc(func(_ context.Context, ev string) error {
		fmt.Println("every sender:", ev)
		return nil
	})

	_ = changed.Send(ctx, "post_tags", "before the alias")
	changed.Alias(field{"Post", "Tags"}, "post_tags") // the sender's package learns it
	_ = changed.Send(ctx, "post_tags", "after the alias")
	// Output:
	// every sender: before the alias
	// Post.Tags: after the alias
	// every sender: after the alias
}

// A signal that refuses a sender it is never sent with, instead of a
// receiver that is silently never called.
func ExampleSignal_CheckSenders() {
	paid := signals.New[int]("invoice_paid")
	paid.CheckSenders(func(sender any) error {
		if _, ok := sender.(string); !ok {
			return fmt.Errorf("invoice_paid is sent with the currency code, not a %T; pass a string such as \"EUR\"", sender)
		}
		return nil
	})
	defer func() {
		err := recover().(error)
		fmt.Println(errors.Is(err, signals.ErrInvalidOption))
		fmt.Println(err)
	}()
	paid.ConnectFunc(func(context.Context, int) error { return nil }, signals.Sender(978))
	// Output:
	// true
	// signals: ConnectFunc: invalid sender for signal invoice_paid: invoice_paid is sent with the currency code, not a int; pass a string such as "EUR"
}
