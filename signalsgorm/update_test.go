package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

func describeUpdate(ev modelsignals.UpdateEvent) string {
	var keys []string
	for k, v := range ev.Values {
		keys = append(keys, fmt.Sprintf("%s=%v", k, v))
	}
	slices.Sort(keys)
	var pks []string
	for _, pk := range ev.PKs {
		pks = append(pks, fmt.Sprint(pk))
	}
	return fmt.Sprintf("%s where[%v] values[%s] pks[%s] rows=%d", ev.Model.Label, ev.Query.Where != "", strings.Join(keys, " "),
		strings.Join(pks, " "), ev.RowsAffected)
}

// Query-level signals for conditional updates, UpdateColumn(s) and batch
// updates, with the affected keys (ticket #22543, which Django never
// shipped).
func TestBulkUpdateSignals(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		db.AutoMigrate(&Order{})
		orders := []Order{{Status: "new", Total: 5}, {Status: "new", Total: 50}, {Status: "paid", Total: 7}, {Status: "new", Total: 1}}
		db.Create(&orders)
		var got []string
		connect(t, modelsignals.PreUpdate, func(_ context.Context, ev modelsignals.UpdateEvent) error {
			got = append(got, "pre_update "+describeUpdate(ev))
			return nil
		})
		connect(t, modelsignals.PostUpdate, func(_ context.Context, ev modelsignals.UpdateEvent) error {
			got = append(got, "post_update "+describeUpdate(ev))
			return nil
		})
		saves := recordSaves(t)
		check := func(want ...string) {
			t.Helper()
			checkLines(t, "signals", got, want)
			got = nil
		}

		db.Model(&Order{}).Where("status = ?", "new").Where("total < ?", 10).Updates(map[string]any{"status": "late"})
		check("pre_update signalsgorm_test.Order where[true] values[Status=late] pks[1 4] rows=0",
			"post_update signalsgorm_test.Order where[true] values[Status=late] pks[1 4] rows=2")
		db.Model(&orders[1]).UpdateColumn("note", "vip")
		check("pre_update signalsgorm_test.Order where[false] values[Note=vip] pks[2] rows=0",
			"post_update signalsgorm_test.Order where[false] values[Note=vip] pks[2] rows=1")
		db.Model(&Order{}).Where("total > ?", 1000).UpdateColumns(map[string]any{"note": "none"})
		check("pre_update signalsgorm_test.Order where[true] values[Note=none] pks[] rows=0",
			"post_update signalsgorm_test.Order where[true] values[Note=none] pks[] rows=0")
		db.Model(&orders).Update("total", gorm.Expr("total + ?", 1))
		if g, _ := saves.take(); len(g) != 8 {
			t.Fatalf("a batch update sends per-object saves too: %v", g)
		}
		if len(got) != 2 || !strings.Contains(got[0], "pks[1 2 3 4]") {
			t.Fatalf("batch: %v", got)
		}
		got = nil
		saves.check(t) // no per-object saves for the conditional updates

		// A pre_update error stops the update.
		boom := errors.New("boom")
		connect(t, modelsignals.PreUpdate, func(context.Context, modelsignals.UpdateEvent) error { return boom })
		if err := db.Model(&Order{}).Where("1 = 1").Update("status", "x").Error; !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		var n int64
		db.Model(&Order{}).Where("status = ?", "x").Count(&n)
		if n != 0 {
			t.Fatalf("%d rows updated despite the error", n)
		}
	})
}

// With PerObjectUpdates, a conditional update sends pre_save/post_save for
// each row, with update_fields and changes.
func TestPerObjectUpdates(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect, signalsgorm.PerObjectUpdates(&Order{}))
		db.AutoMigrate(&Order{})
		db.Create(&[]Order{{Status: "new", Total: 5}, {Status: "paid", Total: 50}, {Status: "new", Total: 7}})
		var got []string
		modelsignals.OnPreSave(func(_ context.Context, ev modelsignals.Save[Order]) error {
			got = append(got, fmt.Sprintf("pre %d %v %s", ev.Instance.ID, ev.UpdateFields, describeChanges(ev.Changes)))
			return nil
		})
		modelsignals.OnPostSave(func(_ context.Context, ev modelsignals.Save[Order]) error {
			got = append(got, fmt.Sprintf("post %d %s created=%v", ev.Instance.ID, ev.Instance.Status, ev.Created))
			return nil
		})
		t.Cleanup(func() { modelsignals.PreSave.DisconnectAll(); modelsignals.PostSave.DisconnectAll() })
		if err := db.Model(&Order{}).Where("status = ?", "new").Updates(Order{Status: "cancelled"}).Error; err != nil {
			t.Fatal(err)
		}
		want := []string{"pre 1 [Status] Status:new→cancelled", "pre 3 [Status] Status:new→cancelled",
			"post 1 cancelled created=false", "post 3 cancelled created=false"}
		if !slices.Equal(got, want) {
			t.Fatalf("got %q\nwant %q", got, want)
		}
		var n int64
		db.Model(&Order{}).Where("status = ?", "cancelled").Count(&n)
		if n != 2 {
			t.Fatalf("%d rows cancelled", n)
		}
	})
}
