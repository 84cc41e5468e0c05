package signalsgorm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// On SQLite the rows a deletion read by a condition are deleted by that
// condition; if a receiver adds a row matching it in the meantime, the
// DELETE would remove a row that got no signals: the deletion fails with
// an error that says so, and its transaction leaves everything in place.
func TestDeleteByConditionRefusesRowsAddedDuringTheDeletion(t *testing.T) {
	db, log := openDelete(t, "sqlite")
	w := seedWriter(t, db, "w")
	var novel uint
	h := modelsignals.OnPreDelete(func(ctx context.Context, ev modelsignals.Delete[Review]) error {
		novel = ev.Instance.NovelID
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
	added := false
	h2 := modelsignals.OnPreDelete(func(ctx context.Context, ev modelsignals.Delete[Novel]) error {
		if !added {
			added = true
			return db.WithContext(ctx).Create(&Review{NovelID: ev.Instance.ID, Stars: 5}).Error
		}
		return nil
	})
	t.Cleanup(func() { h2.Disconnect() })
	log.reset()
	_, err := signalsgorm.Delete(db, &w)
	if err == nil || !strings.Contains(err.Error(), "the rows changed during the deletion") {
		t.Fatalf("Delete = %v, want the rows-changed error", err)
	}
	if novel == 0 {
		t.Fatal("no pre_delete for the reviews")
	}
	wantCounts(t, db, "Writer=1 Novel=2 Review=3", &Writer{}, &Novel{}, &Review{})

	// Without the receiver that adds a review, the same deletion removes
	// every row, each with its signals.
	h2.Disconnect()
	if _, err := signalsgorm.Delete(db, &w); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, db, "Writer=0 Novel=0 Review=0", &Writer{}, &Novel{}, &Review{})
}
