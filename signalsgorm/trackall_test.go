package signalsgorm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// TrackAllChanges tracks every model, those never named to the plugin
// included; without it, a model not given to TrackChanges has no Changes.
func TestTrackAllChangesTracksEveryModel(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		for _, c := range []struct {
			opt  signalsgorm.Option
			want string
		}{
			{signalsgorm.TrackAllChanges(), "Name:go→golang | Status:new→paid"},
			{signalsgorm.TrackChanges(&Order{}), " | Status:new→paid"},
		} {
			db := open(t, dialect, c.opt)
			if err := db.AutoMigrate(&Order{}); err != nil {
				t.Fatal(err)
			}
			var got []string
			connect(t, modelsignals.PostSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
				if !ev.Created {
					got = append(got, describeChanges(ev.Changes))
				}
				return nil
			})
			tag, order := Tag{Name: "go"}, Order{Status: "new"}
			db.Create(&tag)
			db.Create(&order)
			db.Model(&tag).Update("Name", "golang")
			db.Model(&order).Update("Status", "paid")
			checkLines(t, "changes", []string{fmt.Sprint(got[0], " | ", got[1])}, []string{c.want})
		}
	})
}

// Every model's saves carry their changed fields, old → new.
func ExampleTrackAllChanges() {
	db := dbtest.Memory("track_all")
	if err := db.Use(signalsgorm.New(signalsgorm.TrackAllChanges())); err != nil {
		panic(err)
	}
	type Invoice struct {
		ID     uint
		Status string
		Total  int
	}
	db.AutoMigrate(&Invoice{})
	h := modelsignals.OnPostSave(func(_ context.Context, ev modelsignals.Save[Invoice]) error {
		for _, c := range ev.Changes {
			fmt.Printf("%s: %v → %v\n", c.Field, c.Old, c.New)
		}
		return nil
	})
	defer h.Disconnect()

	inv := Invoice{Status: "draft", Total: 100}
	db.Create(&inv)
	fmt.Println("--")
	inv.Status = "sent"
	db.Save(&inv)
	// Output:
	// ID: <nil> → 1
	// Status: <nil> → draft
	// Total: <nil> → 100
	// --
	// Status: draft → sent
}
