package signals_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gosignals/signals"
)

// A trace records, for the work done with its context, every send and
// receiver call in firing order, nested where it happened.
func Example_trace() {
	ordered := signals.New[string]("order_placed")
	reserved := signals.New[string]("stock_reserved")
	ordered.ConnectFunc(func(ctx context.Context, id string) error {
		signals.SetStepDetail(ctx, "order "+id) // what this call was about
		return reserved.Send(ctx, nil, id)      // nested under this receiver
	}, signals.Name("reserve stock"))
	ordered.ConnectFunc(func(ctx context.Context, id string) error {
		_, step := signals.StartStep(ctx, "http", "POST /mail") // a step of your own
		step.End(errors.New("503"))
		return nil
	}, signals.Name("send confirmation"), signals.Mode("after_commit"))
	reserved.ConnectFunc(func(context.Context, string) error { return nil }, signals.Name("update dashboard"))

	ctx, tr := signals.StartTrace(context.Background(), "place order")
	_ = ordered.Send(ctx, nil, "o-1")
	tr.Stop()

	for _, s := range tr.Steps() { // tr.String() adds times and locations
		mode := ""
		if s.Mode != "" && s.Mode != "inline" {
			mode = " [" + s.Mode + "]"
		}
		if s.Kind != signals.StepSend && s.Detail != "" {
			mode += " (" + s.Detail + ")"
		}
		fmt.Printf("%s%s %s%s: %s\n", strings.Repeat("  ", s.Depth), s.Kind, s.Name, mode, s.Outcome)
	}
	// Output:
	// send order_placed: ok
	//   receiver reserve stock (order o-1): ok
	//     send stock_reserved: ok
	//       receiver update dashboard: ok
	//   receiver send confirmation [after_commit]: ok
	//     http POST /mail: error
}
