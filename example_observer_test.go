package signals_test

import (
	"context"
	"fmt"

	"github.com/gosignals/signals"
)

// printObserver prints what it is told; signalsotel's observer makes spans
// and metrics of the same calls.
type printObserver struct{}

func (printObserver) SendStart(ctx context.Context, s *signals.SendInfo) context.Context {
	fmt.Printf("send %s to %d receivers\n", s.Signal, s.Receivers)
	return ctx
}

func (printObserver) SendEnd(_ context.Context, s *signals.SendInfo, e signals.EndInfo) {
	fmt.Printf("sent %s: %s\n", s.Signal, e.Outcome)
}

func (printObserver) ReceiverStart(ctx context.Context, _ *signals.SendInfo, r *signals.ReceiverInfo) context.Context {
	fmt.Printf("  call %s\n", r.Name)
	return ctx
}

func (printObserver) ReceiverEnd(_ context.Context, _ *signals.SendInfo, r *signals.ReceiverInfo, e signals.EndInfo) {
	fmt.Printf("  %s: %s %v\n", r.Name, e.Outcome, e.Err)
}

// An Observer sees every send and receiver call of every signal.
func Example_observer() {
	stop := signals.Observe(printObserver{})
	defer stop()

	shipped := signals.New[string]("order_shipped")
	shipped.ConnectFunc(func(context.Context, string) error { return nil }, signals.Name("notify customer"))
	_ = shipped.Send(context.Background(), nil, "o-1")
	// Output:
	// send order_shipped to 1 receivers
	//   call notify customer
	//   notify customer: ok <nil>
	// sent order_shipped: ok
}
