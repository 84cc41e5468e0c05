package workload_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/benchmarks/workload"
)

func seed(t *testing.T, db *workload.DB, books, comments int) *workload.Author {
	t.Helper()
	id, err := workload.Seed(db.DB, books, comments)
	if err != nil {
		t.Fatal(err)
	}
	for m, want := range map[any]int64{&workload.Author{}: 1, &workload.Book{}: int64(books), &workload.Comment{}: int64(books * comments)} {
		if got := rows(t, db.DB, m); got != want {
			t.Fatalf("seeded %d rows of %T, want %d", got, m, want)
		}
	}
	a, err := workload.LoadAuthor(db.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSQLCascadeDeletesEverythingInOneStatement(t *testing.T) {
	db := open(t, false)
	a := seed(t, db, 3, 2)
	db.Queries.Reset()
	if err := workload.DeleteAuthor(db.DB, a); err != nil {
		t.Fatal(err)
	}
	if k := db.Queries.Kinds(); db.Queries.Data() != 1 || k["delete"] != 1 {
		t.Errorf("statements %v, want the author's DELETE only", k)
	}
	if left, err := workload.Remaining(db.DB); err != nil || left != 0 {
		t.Errorf("%d rows left (%v), want 0", left, err)
	}
}

// sendsDeleteSignals reports whether this build's plugin sends delete
// signals, by deleting one comment directly.
func sendsDeleteSignals(t *testing.T, db *workload.DB) bool {
	t.Helper()
	a := seed(t, db, 1, 1)
	var c workload.Comment
	if err := db.First(&c).Error; err != nil {
		t.Fatal(err)
	}
	counts, disconnect := workload.ConnectDeleteReceivers()
	defer disconnect()
	if err := db.Delete(&c).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Session(&gorm.Session{SkipHooks: true}).Delete(a).Error; err != nil {
		t.Fatal(err)
	}
	pre, post := counts.Total()
	return pre+post > 0
}

// The cascade sends what Django's Collector sends: one pre_delete and one
// post_delete per object, the cascaded ones included.
func TestPluginCascadeSendsDjangosSignals(t *testing.T) {
	db := open(t, true)
	if !sendsDeleteSignals(t, db) {
		t.Skip("this build's signalsgorm sends no delete signals: the deletion collector (issue 4) is not merged; " +
			"the database cascades silently, and the compare command reports the cascade as not comparable")
	}
	a := seed(t, db, 3, 2)
	counts, disconnect := workload.ConnectDeleteReceivers()
	t.Cleanup(disconnect)
	db.Queries.Reset()
	if err := workload.DeleteAuthor(db.DB, a); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"authors": 1, "books": 3, "comments": 6}
	for table, n := range want {
		if counts.Pre[table] != n || counts.Post[table] != n {
			t.Errorf("%s: pre_delete %d, post_delete %d, want %d each", table, counts.Pre[table], counts.Post[table], n)
		}
	}
	if pre, post := counts.Total(); pre != 10 || post != 10 {
		t.Errorf("pre_delete %d, post_delete %d in all, want 10 each", pre, post)
	}
	if k := db.Queries.Kinds(); k["delete"] < 1 || k["select"] < 1 {
		t.Errorf("statements %v: the collector must read the related rows and delete", k)
	}
	if left, err := workload.Remaining(db.DB); err != nil || left != 0 {
		t.Errorf("%d rows left (%v), want 0", left, err)
	}
}
