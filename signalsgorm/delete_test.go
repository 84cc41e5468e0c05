package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// seedWriter creates a writer with two novels: the first with reviews 1
// and 2 and a genre, the second with review 3.
func seedWriter(t *testing.T, db *gorm.DB, name string) Writer {
	t.Helper()
	g := Genre{Name: "sf " + name}
	mustCreate(t, db, &g)
	w := Writer{Name: name, Novels: []Novel{
		{Title: name + " a", Reviews: []Review{{Stars: 1}, {Stars: 2}}, Genres: []Genre{g}},
		{Title: name + " b", Reviews: []Review{{Stars: 3}}},
	}}
	mustCreate(t, db, &w)
	return w
}

// Django's order (tests/delete/tests.py, DeletionTests.test_deletion_order
// and test_relational_post_delete_signals_happen_before_parent_object):
// every pre_delete first (models in dependency
// order, keys ascending), then per model its DELETE and its post_delete
// (keys descending); children's post_delete runs while the parent row
// still exists; join rows get no signal.
func TestDeleteOrder(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		tp := recordDeletes(t)
		var probes []string
		probe := func(ctx context.Context, what string, model any, id uint) {
			var n int64
			if err := signalsgorm.DB(ctx, db).Model(model).Where("id = ?", id).Count(&n).Error; err != nil {
				t.Error(err)
			}
			probes = append(probes, fmt.Sprintf("%s=%d", what, n))
		}
		h1 := modelsignals.OnPostDelete(func(ctx context.Context, ev modelsignals.Delete[Review]) error {
			probe(ctx, "novel", &Novel{}, ev.Instance.NovelID)
			probe(ctx, "review", &Review{}, ev.Instance.ID)
			return nil
		})
		h2 := modelsignals.OnPostDelete(func(ctx context.Context, ev modelsignals.Delete[Novel]) error {
			probe(ctx, "writer", &Writer{}, ev.Instance.WriterID)
			return nil
		})
		t.Cleanup(func() { h1.Disconnect(); h2.Disconnect() })

		connect(t, modelsignals.M2MChanged, func(context.Context, modelsignals.M2MEvent) error {
			t.Error("m2m_changed sent by a cascade")
			return nil
		})
		if err := db.Delete(&w).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t,
			"pre_delete signalsgorm_test.Review id=1", "pre_delete signalsgorm_test.Review id=2", "pre_delete signalsgorm_test.Review id=3",
			"pre_delete signalsgorm_test.Novel id=1", "pre_delete signalsgorm_test.Novel id=2",
			"pre_delete signalsgorm_test.Writer id=1",
			"post_delete signalsgorm_test.Review id=3", "post_delete signalsgorm_test.Review id=2", "post_delete signalsgorm_test.Review id=1",
			"post_delete signalsgorm_test.Novel id=2", "post_delete signalsgorm_test.Novel id=1",
			"post_delete signalsgorm_test.Writer id=1")
		if got := strings.Join(probes, " "); got != "novel=1 review=0 novel=1 review=0 novel=1 review=0 writer=1 writer=1" {
			t.Fatalf("rows seen by post_delete receivers: %s", got)
		}
		wantCounts(t, db, "Writer=0 Novel=0 Review=0 Genre=1", &Writer{}, &Novel{}, &Review{}, &Genre{})
		var links int64
		db.Table("novel_genres").Count(&links)
		if links != 0 {
			t.Fatalf("%d join rows left", links)
		}
	})
}

// The instance is the caller's, refreshed from the database;
// every event of a deletion carries its origin: the value passed, or a
// Query for a conditional delete (tests/signals/tests.py,
// SignalTests.test_delete_signals_origin_model).
func TestDeleteOrigin(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect, signalsgorm.Using("library"))
		tp := recordDeletes(t)

		w := seedWriter(t, db, "one")
		arg := &Writer{ID: w.ID} // only the key: not read again (Django's Model.delete())
		if err := db.Delete(arg).Error; err != nil {
			t.Fatal(err)
		}
		_, evs := tp.take()
		if len(evs) != 12 {
			t.Fatalf("%d events", len(evs))
		}
		for _, ev := range evs {
			if ev.Origin != any(arg) || ev.Using != "library" || ev.Soft {
				t.Fatalf("event %+v: origin %p, want %p", ev, ev.Origin, arg)
			}
		}
		if last := evs[len(evs)-1]; last.Instance != any(arg) || arg.Name != "" || arg.ID != w.ID {
			t.Fatalf("writer's event instance %p (%+v), want the argument %p, as given", last.Instance, last.Instance, arg)
		}

		seedWriter(t, db, "two")
		if err := db.Where("name = ?", "two").Delete(&Writer{}).Error; err != nil {
			t.Fatal(err)
		}
		_, evs = tp.take()
		q, ok := evs[0].Origin.(*modelsignals.Query)
		if !ok || q.Model.Label != "signalsgorm_test.Writer" || !strings.Contains(q.Where, "name =") || !reflect.DeepEqual(q.Args, []any{"two"}) {
			t.Fatalf("origin %#v", evs[0].Origin)
		}
		for _, ev := range evs {
			if ev.Origin != any(q) {
				t.Fatal("events of one deletion have different origins")
			}
		}

		three := seedWriter(t, db, "three")
		if err := db.Delete(&Writer{}, three.ID).Error; err != nil {
			t.Fatal(err)
		}
		_, evs = tp.take()
		if q, ok := evs[0].Origin.(*modelsignals.Query); !ok || len(q.Args) != 1 || len(evs) != 12 {
			t.Fatalf("Delete(&Writer{}, id): origin %#v, %d events", evs[0].Origin, len(evs))
		}

		ws := []Writer{seedWriter(t, db, "four"), seedWriter(t, db, "five")}
		if err := db.Delete(&ws).Error; err != nil {
			t.Fatal(err)
		}
		_, evs = tp.take()
		if len(evs) != 24 || evs[0].Origin != any(&ws) {
			t.Fatalf("Delete(&slice): %d events, origin %T", len(evs), evs[0].Origin)
		}
	})
}

// (total, {label: n}) (tests/delete/tests.py,
// DeletionTests.test_queryset_delete_returns_num_rows), cascades and links counted, models with no
// rows left out; RowsAffected counts the rows of the model deleted.
func TestDeleteCounts(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		for _, receivers := range []bool{false, true} {
			if receivers {
				recordDeletes(t)
			}
			w := seedWriter(t, db, fmt.Sprint("w", receivers))
			tx := db.Delete(&w)
			if tx.Error != nil {
				t.Fatal(tx.Error)
			}
			res, ok := signalsgorm.DeleteResultOf(tx)
			want := map[string]int64{"signalsgorm_test.Writer": 1, "signalsgorm_test.Novel": 2, "signalsgorm_test.Review": 3, "signalsgorm_test.Novel_Genres": 1}
			if !ok || res.Total != 7 || !reflect.DeepEqual(res.PerModel, want) || tx.RowsAffected != 1 {
				t.Fatalf("receivers=%v: %+v %v, RowsAffected %d", receivers, res, ok, tx.RowsAffected)
			}

			// Nothing to delete: (0, {}), and RowsAffected 0 as GORM says.
			res, err := signalsgorm.Delete(db, &Writer{ID: 999})
			if err != nil || res.Total != 0 || len(res.PerModel) != 0 || res.PerModel == nil {
				t.Fatalf("missing row: %+v %v", res, err)
			}

			// A model without relations takes GORM's own statement.
			r := Review{NovelID: 0, Stars: 5}
			db.Exec("INSERT INTO reviews (novel_id, stars) VALUES (NULL, 5)")
			if tx := db.Where("stars = ?", 5).Delete(&r); tx.RowsAffected != 1 {
				t.Fatalf("RowsAffected %d", tx.RowsAffected)
			} else if res, _ := signalsgorm.DeleteResultOf(tx); res.Total != 1 || res.PerModel["signalsgorm_test.Review"] != 1 {
				t.Fatalf("review: %+v", res)
			}
		}
		if _, ok := signalsgorm.DeleteResultOf(db.Where("id = 1").Find(&[]Writer{})); ok {
			t.Fatal("a query has a delete result")
		}
	})
}

// With no receiver and nothing to read (tests/delete/tests.py,
// FastDeleteTests), rows are never loaded:
// one statement per relation, with subqueries; a receiver (a catch-all
// one too) makes the collector read the rows it applies to.
func TestDeleteFastPath(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		q := func(s string) string { return strings.NewReplacer("`", "", `"`, "").Replace(s) }
		check := func(want ...string) {
			t.Helper()
			got := log.take()
			for i := range got {
				got[i] = q(got[i])
			}
			checkLines(t, "statements", got, want)
		}
		w := seedWriter(t, db, "w")
		log.reset()
		if err := db.Delete(&Review{}, 3).Error; err != nil {
			t.Fatal(err)
		}
		check("DELETE FROM reviews WHERE reviews.id = 3")

		// The keys of the instance are given: nothing is read.
		if err := db.Delete(&w).Error; err != nil {
			t.Fatal(err)
		}
		check("DELETE FROM novel_genres WHERE novel_genres.novel_id IN (SELECT id FROM novels WHERE novels.writer_id = 1)",
			"DELETE FROM reviews WHERE reviews.novel_id IN (SELECT id FROM novels WHERE novels.writer_id = 1)",
			"DELETE FROM novels WHERE novels.writer_id = 1",
			"DELETE FROM writers WHERE writers.id = 1")

		// A condition is evaluated once, before anything changes.
		seedWriter(t, db, "v")
		log.reset()
		if err := db.Where("name = ?", "v").Delete(&Writer{}).Error; err != nil {
			t.Fatal(err)
		}
		check("SELECT id FROM writers WHERE name = 'v'",
			"DELETE FROM novel_genres WHERE novel_genres.novel_id IN (SELECT id FROM novels WHERE novels.writer_id = 2)",
			"DELETE FROM reviews WHERE reviews.novel_id IN (SELECT id FROM novels WHERE novels.writer_id = 2)",
			"DELETE FROM novels WHERE novels.writer_id = 2",
			"DELETE FROM writers WHERE writers.id = 2")

		// A receiver for reviews only: reviews are read, novels are not.
		w = seedWriter(t, db, "x")
		h := modelsignals.OnPreDelete(func(context.Context, modelsignals.Delete[Review]) error { return nil })
		log.reset()
		if err := db.Delete(&w).Error; err != nil {
			t.Fatal(err)
		}
		h.Disconnect()
		reviews, novels := "DELETE FROM reviews WHERE reviews.id IN (7,8,9)", ""
		switch dialect {
		case "sqlite": // by the condition they were read with, which deletes exactly them
			reviews = "DELETE FROM reviews WHERE reviews.novel_id IN (SELECT id FROM novels WHERE novels.writer_id = 3)"
		case "postgres":
			reviews = "DELETE FROM reviews WHERE " + keysIn(dialect, "reviews.id", "7,8,9")
		}
		check("SELECT * FROM reviews WHERE reviews.novel_id IN (SELECT id FROM novels WHERE novels.writer_id = 3)",
			"DELETE FROM novel_genres WHERE novel_genres.novel_id IN (SELECT id FROM novels WHERE novels.writer_id = 3)",
			reviews,
			"DELETE FROM novels WHERE novels.writer_id = 3",
			"DELETE FROM writers WHERE writers.id = 3")

		// A catch-all receiver applies to every model; muting it restores
		// the fast path.
		tp := recordDeletes(t)
		w = seedWriter(t, db, "y")
		log.reset()
		ctx := signals.Mute(context.Background(), modelsignals.PreDelete, modelsignals.PostDelete)
		if err := db.WithContext(ctx).Delete(&Review{}, 10).Error; err != nil {
			t.Fatal(err)
		}
		check("DELETE FROM reviews WHERE reviews.id = 10")
		if err := db.Delete(&w).Error; err != nil {
			t.Fatal(err)
		}
		// The writer deleted is the instance given: only its relations
		// are read.
		reviews, novels = "DELETE FROM reviews WHERE "+keysIn(dialect, "reviews.id", "11,12"), "DELETE FROM novels WHERE "+keysIn(dialect, "novels.id", "7,8")
		if dialect == "sqlite" {
			reviews, novels = "DELETE FROM reviews WHERE reviews.novel_id IN (7,8)", "DELETE FROM novels WHERE novels.writer_id = 4"
		}
		check("SELECT * FROM novels WHERE novels.writer_id = 4",
			"SELECT * FROM reviews WHERE "+keysIn(dialect, "reviews.novel_id", "7,8"),
			"DELETE FROM novel_genres WHERE "+keysIn(dialect, "novel_genres.novel_id", "7,8"),
			reviews,
			novels,
			"DELETE FROM writers WHERE writers.id = 4")
		if got, _ := tp.take(); len(got) != 10 {
			t.Fatalf("%d signals: %v", len(got), got)
		}
	})
}

// Delete of a slice: pre_delete by ascending key, post_delete descending,
// whatever the order of the slice.
func TestDeleteSliceOrder(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		rs := []*Review{&w.Novels[0].Reviews[0], &w.Novels[0].Reviews[1], &w.Novels[1].Reviews[0]}
		tp := recordDeletes(t)
		if err := db.Delete([]*Review{rs[2], rs[0], rs[1]}).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Review id=1", "pre_delete signalsgorm_test.Review id=2", "pre_delete signalsgorm_test.Review id=3",
			"post_delete signalsgorm_test.Review id=3", "post_delete signalsgorm_test.Review id=2", "post_delete signalsgorm_test.Review id=1")
	})
}

// GORM refuses a delete without conditions (ErrMissingWhereClause) before
// anything is read; AllowGlobalUpdate deletes everything, with cascades.
func TestDeleteMissingWhere(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		seedWriter(t, db, "w")
		tp := recordDeletes(t)
		if err := db.Delete(&Writer{}).Error; !errors.Is(err, gorm.ErrMissingWhereClause) {
			t.Fatalf("err %v", err)
		}
		if err := db.Delete(&[]Writer{}).Error; !errors.Is(err, gorm.ErrMissingWhereClause) {
			t.Fatalf("err %v", err)
		}
		tp.check(t)
		wantCounts(t, db, "Writer=1 Novel=2 Review=3", &Writer{}, &Novel{}, &Review{})
		res, err := signalsgorm.Delete(db.Session(&gorm.Session{AllowGlobalUpdate: true}), &Writer{})
		if err != nil || res.Total != 7 {
			t.Fatalf("%+v %v", res, err)
		}
		wantCounts(t, db, "Writer=0 Novel=0 Review=0", &Writer{}, &Novel{}, &Review{})
	})
}

// keysIn is the condition the collector writes for integer keys of col: a
// list, or on PostgreSQL one array parameter.
func keysIn(dialect, col, keys string) string {
	if dialect == "postgres" {
		return col + " = ANY(CAST('{" + keys + "}' AS BIGINT[]))"
	}
	return col + " IN (" + keys + ")"
}
