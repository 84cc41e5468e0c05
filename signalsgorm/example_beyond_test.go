package signalsgorm_test

import (
	"context"
	"fmt"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// With change tracking, a receiver can ask whether a field changed, and
// from what to what.
func Example_changedFields() {
	db := dbtest.Memory("changes")
	db.Use(signalsgorm.New(signalsgorm.TrackChanges(&Order{})))
	db.AutoMigrate(&Order{})
	h := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Order]) error {
		if old, new, ok := ev.Changed("Status"); ok && !ev.Created {
			fmt.Printf("order %d: %v → %v\n", ev.Instance.ID, old, new)
		}
		return nil
	})
	defer h.Disconnect()

	db.Create(&Order{Status: "new", Total: 30})
	var o Order
	db.First(&o)
	o.Total = 35
	db.Save(&o) // Status unchanged: nothing printed
	db.Model(&o).Update("status", "paid")
	// Output: order 1: new → paid
}

// Conditional updates, which Django never signals, send pre_update and
// post_update with the keys of the rows they change.
func Example_bulkUpdate() {
	db := dbtest.Memory("bulk")
	db.Use(signalsgorm.New())
	db.AutoMigrate(&Order{})
	db.Create(&[]Order{{Status: "new"}, {Status: "paid"}, {Status: "new"}})
	h := modelsignals.PostUpdate.ConnectFunc(func(ctx context.Context, ev modelsignals.UpdateEvent) error {
		fmt.Println(ev.Model, ev.Values, "keys", ev.PKs, "rows", ev.RowsAffected)
		return nil
	})
	defer h.Disconnect()

	db.Model(&Order{}).Where("status = ?", "new").Update("status", "cancelled")
	// Output: signalsgorm_test.Order map[Status:cancelled] keys [1 3] rows 2
}
