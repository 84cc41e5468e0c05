package signalsgorm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// On SQLite the rows a deletion read by a condition are deleted by that
// condition, unless something else wrote on the deletion's connection
// since it read them (here a pre_delete receiver that writes an audit
// row): a write could have added rows the condition matches, which got no
// signals, so the rows are deleted by key, as on PostgreSQL and MariaDB.
func TestDeleteByConditionOnlyWhileNothingElseWrites(t *testing.T) {
	db, log := openDelete(t, "sqlite")
	var reviews int
	h := modelsignals.OnPreDelete(func(ctx context.Context, ev modelsignals.Delete[Review]) error {
		reviews++
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
	q := func(s string) string { return strings.NewReplacer("`", "", `"`, "").Replace(s) }
	deleteReviews := func() string {
		t.Helper()
		for _, s := range log.take() {
			if strings.HasPrefix(q(s), "DELETE FROM reviews") {
				return q(s)
			}
		}
		t.Fatal("no DELETE of the reviews")
		return ""
	}

	w := seedWriter(t, db, "w")
	log.reset()
	if _, err := signalsgorm.Delete(db, &w); err != nil {
		t.Fatal(err)
	}
	if got := deleteReviews(); !strings.Contains(got, "reviews.novel_id IN") {
		t.Fatalf("the reviews were deleted with %q, want their read's condition", got)
	}

	// A receiver writes on the deletion's connection: by key.
	h2 := modelsignals.OnPreDelete(func(ctx context.Context, ev modelsignals.Delete[Novel]) error {
		return db.WithContext(ctx).Create(&Genre{Name: "audit " + ev.Instance.Title}).Error
	})
	t.Cleanup(func() { h2.Disconnect() })
	w = seedWriter(t, db, "v")
	log.reset()
	reviews = 0
	if _, err := signalsgorm.Delete(db, &w); err != nil {
		t.Fatal(err)
	}
	if got := deleteReviews(); !strings.Contains(got, "reviews.id IN") {
		t.Fatalf("the reviews were deleted with %q after a receiver wrote, want their keys", got)
	}
	if reviews != 3 {
		t.Fatalf("%d pre_delete for the reviews, want 3", reviews)
	}
	wantCounts(t, db, "Writer=0 Novel=0 Review=0", &Writer{}, &Novel{}, &Review{})
}
