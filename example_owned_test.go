package signals_test

import (
	"context"
	"fmt"

	"github.com/gosignals/signals"
)

type Dashboard struct{ updates int }

// ConnectOwned ties a receiver to an owner's lifetime: the signal holds the
// owner weakly and drops the receiver once the owner is garbage collected.
func Example_owned() {
	priceChanged := signals.New[float64]("price_changed")
	d := &Dashboard{}
	signals.ConnectOwned(priceChanged, d, func(_ context.Context, d *Dashboard, price float64) error {
		d.updates++
		return nil
	})
	_ = priceChanged.Send(context.Background(), nil, 9.99)
	fmt.Println(d.updates)
	// Output:
	// 1
}
