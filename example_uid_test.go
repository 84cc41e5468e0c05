package signals_test

import (
	"context"
	"fmt"

	"github.com/gosignals/signals"
)

// A dispatch UID makes connecting idempotent: set-up code that runs twice
// does not register the receiver twice.
func Example_dispatchUID() {
	userCreated := signals.New[string]("user_created")
	setup := func() {
		userCreated.ConnectFunc(func(ctx context.Context, user string) error {
			fmt.Println("welcome,", user)
			return nil
		}, signals.UID("send-welcome-email"))
	}
	setup()
	setup() // no-op: the UID is already connected

	_ = userCreated.Send(context.Background(), nil, "ada")
	fmt.Println(len(userCreated.Receivers()), "receiver")
	fmt.Println(userCreated.DisconnectUID("send-welcome-email", nil))
	// Output:
	// welcome, ada
	// 1 receiver
	// true
}
