package signals_test

import (
	"context"
	"fmt"

	"github.com/gosignals/signals"
)

// Every signal made by New is listed by All and found by Lookup, with its
// receivers in call order: what will run, and where it was connected.
func Example_registry() {
	signup := signals.New[string]("user_signed_up")
	signup.ConnectFunc(func(context.Context, string) error { return nil }, signals.Name("welcome mail"),
		signals.Mode("durable"), signals.UID("welcome"))
	signup.ConnectFunc(func(context.Context, string) error { return nil }, signals.Name("create profile"),
		signals.Priority(1))

	s, _ := signals.Lookup("user_signed_up")
	fmt.Println(s.Name(), s.EventType())
	for _, r := range s.Receivers() {
		fmt.Printf("  %s [%s] uid=%q connected at line %d\n", r.Name, r.Mode, r.UID, r.Line)
	}
	// Output:
	// user_signed_up string
	//   create profile [inline] uid="" connected at line 16
	//   welcome mail [durable] uid="welcome" connected at line 14
}
