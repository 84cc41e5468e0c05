package signals_test

import (
	"context"
	"fmt"

	"github.com/gosignals/signals"
)

type BookCreated struct{ Title string }

// Connect a receiver, send, and disconnect with the returned handle.
func Example_connect() {
	bookCreated := signals.New[BookCreated]("book_created")

	h := bookCreated.ConnectFunc(func(ctx context.Context, ev BookCreated) error {
		fmt.Println("notify:", ev.Title)
		return nil
	})

	_ = bookCreated.Send(context.Background(), nil, BookCreated{Title: "Dune"})
	h.Disconnect()
	_ = bookCreated.Send(context.Background(), nil, BookCreated{Title: "Emma"}) // nobody listens
	// Output:
	// notify: Dune
}
