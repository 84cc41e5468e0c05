package signalsgorm_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// GORM's Scan bypasses the callback chain; signalsgorm.Scan sends the init
// signals for scanned models.
func TestScan(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		db.Create(&[]Tag{{Name: "sf"}, {Name: "classic"}})
		var got []string
		connect(t, modelsignals.PreInit, func(_ context.Context, ev modelsignals.PreInitEvent) error {
			got = append(got, "pre_init "+ev.Model.Label)
			return nil
		})
		connect(t, modelsignals.PostInit, func(_ context.Context, ev modelsignals.PostInitEvent) error {
			got = append(got, "post_init "+ev.Instance.(*Tag).Name)
			return nil
		})
		var plain []Tag
		db.Raw("SELECT * FROM tags ORDER BY id").Scan(&plain)
		if len(plain) != 2 || len(got) != 0 {
			t.Fatalf("GORM's Scan: %d rows, signals %v (expected none: it bypasses callbacks)", len(plain), got)
		}
		var tags []Tag
		if err := signalsgorm.Scan(db.Raw("SELECT * FROM tags ORDER BY id"), &tags).Error; err != nil {
			t.Fatal(err)
		}
		want := []string{"pre_init signalsgorm_test.Tag", "post_init sf", "post_init classic"}
		if !slices.Equal(got, want) || len(tags) != 2 {
			t.Fatalf("got %v, want %v", got, want)
		}
		var n int
		if err := signalsgorm.Scan(db.Raw("SELECT count(*) FROM tags"), &n).Error; err != nil || n != 2 {
			t.Fatalf("non-model Scan: %d, %v", n, err)
		}
		boom := errors.New("boom")
		connect(t, modelsignals.PostInit, func(context.Context, modelsignals.PostInitEvent) error { return boom })
		if err := signalsgorm.Scan(db.Raw("SELECT * FROM tags"), &tags).Error; !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	})
}
