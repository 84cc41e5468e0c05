package signals_test

import (
	"context"
	"fmt"

	"github.com/gosignals/signals"
)

// Muting silences chosen signals for the work done with one context, for
// bulk imports, fixtures and tests; other goroutines are not affected.
func Example_mute() {
	imported := signals.New[string]("row_imported")
	imported.ConnectFunc(func(_ context.Context, row string) error {
		fmt.Println("reindex", row)
		return nil
	})

	ctx := context.Background()
	bulk := signals.Mute(ctx, imported)
	for _, row := range []string{"a", "b", "c"} {
		_ = imported.Send(bulk, nil, row) // silent
	}
	_ = imported.Send(ctx, nil, "d") // not muted
	fmt.Println(signals.IsMuted(bulk, imported), signals.IsMuted(ctx, imported))
	// Output:
	// reindex d
	// true false
}
