package signalsgorm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// selects returns the SELECT statements among stmts, quotes removed.
func selects(stmts []string) []string {
	var out []string
	for _, s := range stmts {
		s = strings.NewReplacer("`", "", `"`, "").Replace(s)
		if strings.HasPrefix(s, "SELECT") {
			out = append(out, s)
		}
	}
	return out
}

// An instance passed to Delete is the object deleted, as Django's
// Model.delete() uses self (django/db/models/base.py, Model.delete): its
// row is not read again, the receivers get the instance as given, and the
// pre_delete, DELETE, post_delete order holds. Conditions are read.
func TestDeleteGivenInstance(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		tp := recordDeletes(t)

		// A model without relations: no SELECT at all.
		r := &Review{ID: w.Novels[0].Reviews[0].ID} // Stars left out: not read
		log.reset()
		res, err := signalsgorm.Delete(db, r)
		if err != nil || res.Total != 1 || res.PerModel["signalsgorm_test.Review"] != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		if got := selects(log.take()); len(got) != 0 {
			t.Fatalf("instance delete read %q", got)
		}
		_, evs := tp.take()
		if len(evs) != 2 || evs[0].Instance != any(r) || evs[1].Instance != any(r) || r.Stars != 0 {
			t.Fatalf("events %+v, want the instance given %p, unread", evs, r)
		}

		// The same instance again: its row is gone, its signals are sent
		// (Django does not look), nothing is counted.
		res, err = signalsgorm.Delete(db, r)
		if err != nil || res.Total != 0 || len(res.PerModel) != 0 {
			t.Fatalf("%+v %v", res, err)
		}
		if got, _ := tp.take(); len(got) != 2 {
			t.Fatalf("signals %v", got)
		}

		// Conditions, keys passed as conditions included: the rows are read.
		log.reset()
		if err := db.Delete(&Review{}, w.Novels[0].Reviews[1].ID).Error; err != nil {
			t.Fatal(err)
		}
		if got := selects(log.take()); len(got) != 1 || !strings.HasPrefix(got[0], "SELECT * FROM reviews WHERE reviews.id =") {
			t.Fatalf("conditional delete read %q", got)
		}
		_, evs = tp.take()
		if len(evs) != 2 || evs[0].Instance.(*Review).Stars != 2 {
			t.Fatalf("events %+v, want the row read", evs)
		}
		log.reset()
		given := &Review{ID: w.Novels[1].Reviews[0].ID}
		if err := db.Where("stars = ?", 3).Delete(given).Error; err != nil {
			t.Fatal(err)
		}
		if got := selects(log.take()); len(got) != 1 || !strings.HasPrefix(got[0], "SELECT * FROM reviews WHERE stars = ") {
			t.Fatalf("instance with a condition read %q", got)
		}
		if _, evs = tp.take(); len(evs) != 2 || evs[0].Instance != any(given) || given.Stars != 3 {
			t.Fatalf("events %+v, want the instance given, refreshed", evs)
		}

		// A model with relations: only the related rows are read.
		w = seedWriter(t, db, "x")
		log.reset()
		if err := db.Delete(&Writer{ID: w.ID}).Error; err != nil {
			t.Fatal(err)
		}
		got := selects(log.take())
		if len(got) != 2 || !strings.HasPrefix(got[0], "SELECT * FROM novels ") || !strings.HasPrefix(got[1], "SELECT * FROM reviews ") {
			t.Fatalf("instance with relations read %q, want its novels and their reviews", got)
		}
		if sig, _ := tp.take(); len(sig) != 12 {
			t.Fatalf("%d signals", len(sig))
		}
	})
}

// The instance of a soft-deleted model is read: a row soft deleted before
// is not deleted again, and gets no signals. An Unscoped delete is hard:
// the instance is taken as given.
func TestDeleteGivenSoft(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log, b := openSoft(t, dialect)
		tp := recordDeletes(t)
		note := &Note{ID: b.Notes[0].ID}
		if err := db.Delete(note).Error; err != nil {
			t.Fatal(err)
		}
		if got := selects(log.take()); len(got) != 1 || !strings.HasPrefix(got[0], "SELECT * FROM notes WHERE") {
			t.Fatalf("soft delete read %q", got)
		}
		if sig, _ := tp.take(); len(sig) != 2 {
			t.Fatalf("signals %v", sig)
		}
		if err := db.Delete(note).Error; err != nil {
			t.Fatal(err)
		}
		if sig, _ := tp.take(); len(sig) != 0 {
			t.Fatalf("a row soft deleted before got %v", sig)
		}
		log.reset()
		if err := db.Unscoped().Delete(&Note{ID: b.Notes[1].ID}).Error; err != nil {
			t.Fatal(err)
		}
		if got := selects(log.take()); len(got) != 0 {
			t.Fatalf("Unscoped instance delete read %q", got)
		}
		if sig, _ := tp.take(); len(sig) != 2 {
			t.Fatalf("signals %v", sig)
		}
	})
}

// Without a transaction of GORM's (SkipDefaultTransaction), the instance
// is still not read; the collector opens the transaction.
func TestDeleteGivenNoTransaction(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		tp := recordDeletes(t)
		log.reset()
		quick := db.Session(&gorm.Session{SkipDefaultTransaction: true})
		if err := quick.Delete(&Review{ID: w.Novels[0].Reviews[0].ID}).Error; err != nil {
			t.Fatal(err)
		}
		if got := selects(log.take()); len(got) != 0 {
			t.Fatalf("read %q", got)
		}
		if sig, _ := tp.take(); len(sig) != 2 {
			t.Fatalf("signals %v", sig)
		}
		wantCounts(t, db, "Review=2", &Review{})
	})
}

// The rows a deletion collects carry their columns, whether the collector
// reads them with GORM's Find (a post_init receiver observes their
// loading, as Django constructs them) or scans them itself (nothing does).
func TestDeleteCollectedRows(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		tp := recordDeletes(t)
		for _, observed := range []bool{false, true} {
			var inits []string
			if observed {
				h := modelsignals.OnPostInit(func(_ context.Context, ev modelsignals.Init[Novel]) error {
					inits = append(inits, ev.Instance.Title)
					return nil
				})
				t.Cleanup(func() { h.Disconnect() })
			}
			w := seedWriter(t, db, "w")
			if err := db.Delete(&Writer{ID: w.ID}).Error; err != nil {
				t.Fatal(err)
			}
			_, evs := tp.take()
			var got []string
			for _, ev := range evs[:6] { // the pre_delete events
				switch inst := ev.Instance.(type) {
				case *Novel:
					got = append(got, fmt.Sprintf("novel %s writer=%t", inst.Title, inst.WriterID == w.ID))
				case *Review:
					got = append(got, fmt.Sprintf("review %d", inst.Stars))
				}
			}
			checkLines(t, "collected rows", got, []string{"review 1", "review 2", "review 3", "novel w a writer=true", "novel w b writer=true"})
			if want := map[bool]int{false: 0, true: 2}[observed]; len(inits) != want {
				t.Fatalf("post_init for %q, want %d", inits, want)
			}
		}
	})
}
