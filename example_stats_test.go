package signals_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gosignals/signals"
)

// Statistics count each receiver's calls, errors and panics, and time a
// sample of its calls (every call here) for its latency percentiles.
func Example_stats() {
	signals.SetLatencySampling(1)
	signals.EnableStats(true)
	defer signals.SetLatencySampling(signals.DefaultLatencySampling)
	defer signals.EnableStats(false)

	paid := signals.New[int]("payment_received")
	paid.SetLogger(slog.New(slog.DiscardHandler)) // SendRobust logs failures
	paid.ConnectFunc(func(context.Context, int) error { return nil }, signals.Name("ledger"))
	paid.ConnectFunc(func(_ context.Context, cents int) error {
		if cents > 1000 {
			return errors.New("needs review")
		}
		return nil
	}, signals.Name("fraud check"))

	for _, cents := range []int{500, 1500, 700} {
		_ = paid.SendRobust(context.Background(), nil, cents)
	}
	for _, st := range paid.Stats() {
		fmt.Printf("%s: %d calls, %d errors, %d timed, p99 > 0: %v\n",
			st.Receiver.Name, st.Calls, st.Errors, st.Measured, st.P99 > 0)
	}
	// Output:
	// ledger: 3 calls, 0 errors, 3 timed, p99 > 0: true
	// fraud check: 3 calls, 1 errors, 3 timed, p99 > 0: true
}
