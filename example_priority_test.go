package signals_test

import (
	"context"
	"fmt"

	"github.com/gosignals/signals"
)

// Receivers run in registration order; Priority moves the few that must run
// first or last.
func Example_priority() {
	saved := signals.New[string]("saved")
	say := func(s string) func(context.Context, string) error {
		return func(context.Context, string) error { fmt.Println(s); return nil }
	}
	saved.ConnectFunc(say("update search index"))
	saved.ConnectFunc(say("invalidate cache"), signals.Priority(-10))
	saved.ConnectFunc(say("audit log"), signals.Priority(10))
	saved.ConnectFunc(say("notify followers"))

	_ = saved.Send(context.Background(), nil, "book:1")
	for _, r := range saved.Receivers() {
		fmt.Println(r.Priority, r.ID)
	}
	// Output:
	// audit log
	// update search index
	// notify followers
	// invalidate cache
	// 10 3
	// 0 1
	// 0 4
	// -10 2
}
