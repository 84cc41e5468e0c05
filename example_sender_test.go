package signals_test

import (
	"context"
	"fmt"
	"reflect"

	"github.com/gosignals/signals"
)

type Saved struct{ ID int }

type Book struct{}
type Author struct{}

// Receivers can be restricted to one sender; those without a sender receive
// from everyone. Model signals use the model's type as the sender.
func Example_senderFilter() {
	saved := signals.New[Saved]("saved")
	bookType := reflect.TypeFor[Book]()

	saved.ConnectFunc(func(ctx context.Context, ev Saved) error {
		fmt.Println("book receiver:", ev.ID)
		return nil
	}, signals.Sender(bookType))
	saved.ConnectFunc(func(ctx context.Context, ev Saved) error {
		fmt.Println("audit receiver:", ev.ID)
		return nil
	})

	_ = saved.Send(context.Background(), bookType, Saved{ID: 1})
	_ = saved.Send(context.Background(), reflect.TypeFor[Author](), Saved{ID: 2})
	fmt.Println(saved.HasListeners(bookType), saved.HasListeners(nil))
	// Output:
	// book receiver: 1
	// audit receiver: 1
	// audit receiver: 2
	// true true
}
