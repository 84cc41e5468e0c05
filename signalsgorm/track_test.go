package signalsgorm_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

type Order struct {
	ID     uint
	Status string
	Total  int
	Note   string
}

func describeChanges(c modelsignals.Changes) string {
	var parts []string
	for _, ch := range c {
		parts = append(parts, fmt.Sprintf("%s:%v→%v", ch.Field, ch.Old, ch.New))
	}
	return strings.Join(parts, " ")
}

// Changed fields, old → new: loaded, modified and saved; Updates with a map
// or a struct; Select; a new instance; an instance that was not loaded.
func TestChangedFields(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect, signalsgorm.TrackChanges(&Order{}))
		db.AutoMigrate(&Order{})
		var got []string
		connect(t, modelsignals.PreSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
			if _, ok := ev.Instance.(*Order); ok {
				got = append(got, "pre "+describeChanges(ev.Changes))
			}
			return nil
		})
		modelsignals.OnPostSave(func(_ context.Context, ev modelsignals.Save[Order]) error {
			s := "post " + describeChanges(ev.Changes)
			if old, new, ok := ev.Changed("Status"); ok {
				s += fmt.Sprintf(" | status %v→%v", old, new)
			}
			got = append(got, s)
			return nil
		})
		t.Cleanup(func() { modelsignals.PostSave.DisconnectAll() })
		check := func(want ...string) {
			t.Helper()
			checkLines(t, "signals", got, want)
			got = nil
		}

		o := Order{Status: "new", Total: 10}
		db.Create(&o)
		check("pre Status:<nil>→new Total:<nil>→10", "post ID:<nil>→1 Status:<nil>→new Total:<nil>→10 | status <nil>→new")

		var loaded Order
		db.First(&loaded, o.ID)
		loaded.Status = "paid"
		loaded.Note = "rush"
		db.Save(&loaded)
		check("pre Note:→rush Status:new→paid", "post Note:→rush Status:new→paid | status new→paid")

		db.Save(&loaded) // nothing changed since the last save
		check("pre ", "post ")

		db.Model(&loaded).Updates(map[string]any{"status": "shipped", "total": 10})
		check("pre Status:paid→shipped", "post Status:paid→shipped | status paid→shipped")

		db.Model(&loaded).Updates(Order{Total: 12})
		check("pre Total:10→12", "post Total:10→12")

		db.Model(&loaded).Select("Note").Updates(Order{Note: "", Status: "ignored"})
		check("pre Note:rush→", "post Note:rush→")

		// Not loaded: the old values are read in the same transaction.
		db.Model(&Order{ID: o.ID}).Updates(map[string]any{"status": "returned"})
		check("pre Status:shipped→returned", "post Status:shipped→returned | status shipped→returned")

		// pre_save changes are part of what post_save reports.
		h := modelsignals.OnPreSave(func(_ context.Context, ev modelsignals.Save[Order]) error {
			ev.Instance.Note = "audited"
			return nil
		})
		loaded.Total = 99
		db.Save(&loaded)
		h.Disconnect()
		check("pre Total:12→99", "post Note:→audited Total:12→99")
	})
}

// Untracked models have no Changes; tracking snapshots do not keep
// instances alive.
func TestChangeTrackingMemory(t *testing.T) {
	db := open(t, "sqlite", signalsgorm.TrackChanges(&Order{}))
	db.AutoMigrate(&Order{})
	var seen []modelsignals.Changes
	connect(t, modelsignals.PostSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
		seen = append(seen, ev.Changes)
		return nil
	})
	db.Create(&Tag{Name: "untracked"})
	if len(seen) != 1 || seen[0] != nil {
		t.Fatalf("untracked model has changes %v", seen)
	}
	rows := make([]Order, 1000)
	for i := range rows {
		rows[i].Status = "new"
	}
	db.CreateInBatches(&rows, 200)
	rows = nil
	load := func() int {
		var os []Order
		db.Find(&os)
		return len(os)
	}
	if load() != 1000 {
		t.Fatal("rows missing")
	}
	held := signalsgorm.TrackedSnapshots(db)
	if held < 1000 {
		t.Fatalf("%d snapshots after loading 1000 rows", held)
	}
	deadline := time.Now().Add(10 * time.Second)
	for signalsgorm.TrackedSnapshots(db) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d snapshots still held after their instances became unreachable", signalsgorm.TrackedSnapshots(db))
		}
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	var _ *gorm.DB = db
}

func TestModelOptionsBadInput(t *testing.T) {
	for _, opt := range []signalsgorm.Option{signalsgorm.TrackChanges(42), signalsgorm.PerObjectUpdates("Book")} {
		db := dbtest.Open(t, "sqlite")
		if err := db.Use(signalsgorm.New(opt)); err == nil || !strings.Contains(err.Error(), "is not a model struct") {
			t.Fatalf("err = %v", err)
		}
	}
}
