package txpool

import (
	"errors"
	"testing"
)

// BeforeCommit's functions run before the COMMIT, in order, and may take
// queued items out (the rest are handed over after the commit); a
// rollback to a savepoint drops the items queued since, not the function.
func TestBeforeCommitExtractsItems(t *testing.T) {
	tx, f, ran := newTestTx(false)
	var staged []string
	var order []string
	tx.BeforeCommit("first", func() error {
		order = append(order, "first")
		if f.commits != 0 {
			t.Error("a BeforeCommit function ran after the COMMIT")
		}
		for _, it := range tx.Extract(func(it Item) bool { return it.(*item).name[0] == 's' }) {
			staged = append(staged, it.(*item).name)
		}
		return nil
	})
	tx.BeforeCommit("second", func() error { order = append(order, "second"); return nil })
	tx.BeforeCommit("first", func() error { order = append(order, "first again"); return nil })
	tx.Add(&item{name: "s1"})
	tx.Add(&item{name: "c1"})
	tx.Savepoint(Set, "a")
	tx.Add(&item{name: "s2"})
	tx.Savepoint(RollbackTo, "a")
	tx.Add(&item{name: "s3"})
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	checkNames(t, "staged", staged, []string{"s1", "s3"})
	checkNames(t, "handed over", *ran, []string{"c1"})
	checkNames(t, "order", order, []string{"first", "second"})
	if tx.BeforeCommit("third", func() error { return nil }) != Committed {
		t.Error("BeforeCommit on a committed transaction")
	}
}

// A failing BeforeCommit function rolls the transaction back: no COMMIT,
// no items handed over, the error returned.
func TestBeforeCommitFailureRollsBack(t *testing.T) {
	tx, f, ran := newTestTx(false)
	boom := errors.New("boom")
	tx.BeforeCommit(1, func() error { return boom })
	tx.Add(&item{name: "c1"})
	if err := tx.Commit(); !errors.Is(err, boom) {
		t.Fatalf("Commit = %v", err)
	}
	if f.commits != 0 || f.rollbacks != 1 || len(*ran) != 0 || tx.state != RolledBack {
		t.Fatalf("commits %d, rollbacks %d, handed over %q, state %v", f.commits, f.rollbacks, *ran, tx.state)
	}
	tx2, _, _ := newTestTx(false)
	called := false
	tx2.BeforeCommit(1, func() error { called = true; return nil })
	_ = tx2.Rollback()
	if called {
		t.Fatal("a rollback called a BeforeCommit function")
	}
}
