package signalsgorm_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosignals/signals/internal/longtest"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// insertNovels inserts 10^digits novels of the writer with one statement.
func insertNovels(t testing.TB, db *gorm.DB, writer uint, digits int) {
	t.Helper()
	d := "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL " +
		"SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
	from := make([]string, digits)
	for i := range from {
		from[i] = d + " d" + string(rune('a'+i))
	}
	q := "INSERT INTO novels (title, writer_id) SELECT 'n', ? FROM " + strings.Join(from, " CROSS JOIN ")
	if err := db.Exec(q, writer).Error; err != nil {
		t.Fatal(err)
	}
}

// kinds counts the statements by their first word and table.
func kinds(stmts []string) map[string]int {
	out := map[string]int{}
	for _, s := range stmts {
		f := strings.Fields(strings.NewReplacer("`", "", `"`, "").Replace(s))
		switch {
		case len(f) > 3 && f[0] == "SELECT":
			out["SELECT "+f[3]]++
		case len(f) > 2 && f[0] == "DELETE":
			out["DELETE "+f[2]]++
		case len(f) > 1:
			out[f[0]+" "+f[1]]++
		}
	}
	return out
}

// The IN lists are cut to the parameter limit (tests/delete/tests.py,
// DeletionTests.test_large_delete); the number of
// statements grows with the chunks, not with the rows, and signals are
// still one per object.
func TestDeleteChunks(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect, signalsgorm.MaxQueryParams(64+10)) // 10 keys a statement
		novels := make([]Novel, 25)
		for i := range novels {
			novels[i] = Novel{Title: "n", Reviews: []Review{{Stars: 1}}}
		}
		w := Writer{Name: "w", Novels: novels}
		mustCreate(t, db, &w)
		tp := recordDeletes(t)
		log.reset()
		res, err := signalsgorm.Delete(db, &w)
		if err != nil || res.Total != 51 {
			t.Fatalf("%+v %v", res, err)
		}
		if got, _ := tp.take(); len(got) != 102 {
			t.Fatalf("%d signals", len(got))
		}
		got := kinds(log.take())
		want := map[string]int{"SELECT novels": 1, "SELECT reviews": 3, // the writer is the instance given
			"DELETE novel_genres": 3, "DELETE reviews": 3, "DELETE novels": 3, "DELETE writers": 1}
		if dialect == "sqlite" {
			// The novels were read by one condition, which deletes exactly
			// them: one DELETE by it, not one per chunk of their keys.
			want["DELETE novels"] = 1
		}
		if !equalCounts(got, want) {
			t.Fatalf("statements %v, want %v", got, want)
		}

		// Without receivers the rows below the root are not read: one
		// statement per relation, however many rows.
		w = Writer{Name: "w", Novels: novels}
		for i := range w.Novels {
			w.Novels[i].ID, w.Novels[i].Reviews[0].ID = 0, 0
		}
		mustCreate(t, db, &w)
		modelsignals.PreDelete.DisconnectAll()
		modelsignals.PostDelete.DisconnectAll()
		log.reset()
		if res, err := signalsgorm.Delete(db, &w); err != nil || res.Total != 51 {
			t.Fatalf("%+v %v", res, err)
		}
		got = kinds(log.take())
		want = map[string]int{"DELETE novel_genres": 1, "DELETE reviews": 1, "DELETE novels": 1, "DELETE writers": 1}
		if !equalCounts(got, want) {
			t.Fatalf("statements %v, want %v", got, want)
		}
	})
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// More than 100 000 rows, with the databases' own parameter limits and
// foreign keys enforced: with receivers (every row read, signalled, and
// deleted by key in chunks) and without (rows never read).
func TestDeleteLarge(t *testing.T) {
	longtest.Require(t, "100 000 rows: pure-Go SQLite under -race takes about a minute")
	const n = 100_000
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		w := Writer{Name: "big"}
		mustCreate(t, db, &w)
		insertNovels(t, db, w.ID, 5)

		var pre, post atomic.Int64
		h1 := modelsignals.PreDelete.ConnectFunc(func(context.Context, modelsignals.DeleteEvent) error { pre.Add(1); return nil })
		h2 := modelsignals.PostDelete.ConnectFunc(func(context.Context, modelsignals.DeleteEvent) error { post.Add(1); return nil })
		log.reset()
		start := time.Now()
		res, err := signalsgorm.Delete(db, &w)
		if err != nil || res.Total != n+1 || res.PerModel["signalsgorm_test.Novel"] != n {
			t.Fatalf("%+v %v", res, err)
		}
		h1.Disconnect()
		h2.Disconnect()
		stmts := log.take()
		t.Logf("%s: %d rows with receivers in %v, %d statements: %v", dialect, n+1, time.Since(start).Round(time.Millisecond), len(stmts), kinds(stmts))
		if pre.Load() != n+1 || post.Load() != n+1 {
			t.Fatalf("signals: %d pre_delete, %d post_delete", pre.Load(), post.Load())
		}
		if len(stmts) > 16 {
			t.Fatalf("%d statements", len(stmts))
		}
		wantCounts(t, db, "Writer=0 Novel=0", &Writer{}, &Novel{})

		// The fast path: a conditional delete whose rows have relations
		// reads their keys once, then one statement per relation and chunk.
		w = Writer{Name: "big"}
		mustCreate(t, db, &w)
		insertNovels(t, db, w.ID, 5)
		log.reset()
		start = time.Now()
		res, err = signalsgorm.Delete(db.Where("writer_id = ?", w.ID), &Novel{})
		if err != nil || res.Total != n {
			t.Fatalf("%+v %v", res, err)
		}
		stmts = log.take()
		t.Logf("%s: %d rows without receivers in %v, %d statements: %v", dialect, n, time.Since(start).Round(time.Millisecond), len(stmts), kinds(stmts))
		if len(stmts) > 13 {
			t.Fatalf("%d statements", len(stmts))
		}
		wantCounts(t, db, "Writer=1 Novel=0", &Writer{}, &Novel{})
	})
}
