package signals_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gosignals/signals"
)

// SendRobust calls every receiver, even after one fails or panics, and
// returns the failures joined; each one is also logged.
func Example_sendRobust() {
	shutdown := signals.New[string]("shutdown")
	shutdown.SetLogger(slog.New(slog.DiscardHandler)) // keep the example's output clean

	shutdown.ConnectFunc(func(context.Context, string) error { return errors.New("flush failed") }, signals.Name("flush_cache"))
	shutdown.ConnectFunc(func(context.Context, string) error { panic("bug") }, signals.Name("close_socket"))
	shutdown.ConnectFunc(func(_ context.Context, reason string) error {
		fmt.Println("still called:", reason)
		return nil
	}, signals.Name("log_reason"))

	results, err := shutdown.SendRobustResults(context.Background(), nil, "deploy")
	for _, r := range results {
		fmt.Printf("%s: %v\n", r.Receiver.Name, r.Err)
	}
	var pe *signals.PanicError
	fmt.Println(errors.As(err, &pe))
	// Output:
	// still called: deploy
	// flush_cache: flush failed
	// close_socket: panic: bug
	// log_reason: <nil>
	// true
}
