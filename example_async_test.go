package signals_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gosignals/signals"
)

// SendAsync runs receivers concurrently and returns their results in
// registration order, whatever order they finish in.
func Example_sendAsync() {
	warm := signals.New[string]("warm_caches")
	for _, d := range []time.Duration{30, 10, 20} {
		warm.ConnectFunc(func(ctx context.Context, key string) error {
			time.Sleep(d * time.Millisecond)
			return nil
		}, signals.Name(fmt.Sprintf("cache-%dms", d)))
	}
	results, err := warm.SendAsync(context.Background(), nil, "home", signals.MaxConcurrency(3))
	for _, r := range results {
		fmt.Println(r.Receiver.Name, r.Err)
	}
	fmt.Println(err)
	// Output:
	// cache-30ms <nil>
	// cache-10ms <nil>
	// cache-20ms <nil>
	// <nil>
}
