package signals_test

import (
	"context"
	"fmt"

	"github.com/gosignals/signals"
)

func welcome(ctx context.Context, user string) error {
	fmt.Println("welcome,", user)
	return nil
}

// Connecting the same function twice registers it once, as in Django. A
// closure made anew at each call is another receiver: give it a UID to
// connect it once.
func Example_connectTwice() {
	userCreated := signals.New[string]("user_created")
	first := userCreated.ConnectFunc(welcome)
	again := userCreated.ConnectFunc(welcome) // no-op: the handle refers to the first
	fmt.Println(len(userCreated.Receivers()), "receiver, same connection:", again.Info().ID == first.Info().ID)

	for range 2 {
		prefix := "hello,"
		userCreated.ConnectFunc(func(ctx context.Context, user string) error {
			fmt.Println(prefix, user)
			return nil
		}, signals.UID("hello"))
	}
	_ = userCreated.Send(context.Background(), nil, "ada")
	// Output:
	// 1 receiver, same connection: true
	// welcome, ada
	// hello, ada
}
