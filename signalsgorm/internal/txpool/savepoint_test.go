package txpool

import (
	"fmt"
	"testing"
)

func TestParseSavepoint(t *testing.T) {
	tests := []struct {
		q    string
		op   Op
		name string
	}{
		{"SAVEPOINT sp123", Set, "sp123"},
		{"  savepoint Sp1;", Set, "sp1"},
		{`SAVEPOINT "Mixed"`, Set, "Mixed"},
		{"SAVEPOINT `x y`", NotSavepoint, ""}, // two words: not a name we can follow
		{"SAVEPOINT `xy`", Set, "xy"},
		{"ROLLBACK TO SAVEPOINT sp1", RollbackTo, "sp1"},
		{"rollback to sp1", RollbackTo, "sp1"},
		{"ROLLBACK WORK TO SAVEPOINT sp1", RollbackTo, "sp1"},
		{"ROLLBACK TRANSACTION TO SAVEPOINT sp1", RollbackTo, "sp1"},
		{"ROLLBACK TO SAVEPOINT savepoint", RollbackTo, "savepoint"},
		{"RELEASE SAVEPOINT sp1", Release, "sp1"},
		{"release sp1", Release, "sp1"},
		{"ROLLBACK", NotSavepoint, ""},
		{"ROLLBACK WORK", NotSavepoint, ""},
		{"SELECT 1", NotSavepoint, ""},
		{"SAVEPOINT", NotSavepoint, ""},
		{"ROLLBACK TO", NotSavepoint, ""},
		{"RESET ALL", NotSavepoint, ""},
		{"SET x = 1", NotSavepoint, ""},
		{"", NotSavepoint, ""},
		{"\u00a0\vSAVEPOINT a", Set, "a"},
	}
	for _, tt := range tests {
		op, name := ParseSavepoint(tt.q)
		if op != tt.op || name != tt.name {
			t.Errorf("ParseSavepoint(%q) = %v, %q; want %v, %q", tt.q, op, name, tt.op, tt.name)
		}
		if tt.op != NotSavepoint && !MaybeSavepoint(tt.q) {
			t.Errorf("MaybeSavepoint(%q) = false", tt.q)
		}
	}
	for _, q := range []string{"INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "  DELETE FROM t", "\n", "COMMIT"} {
		if MaybeSavepoint(q) {
			t.Errorf("MaybeSavepoint(%q) = true", q)
		}
	}
}

// The fast test must never skip a statement the parser recognises.
func FuzzParseSavepoint(f *testing.F) {
	for _, q := range []string{"SAVEPOINT a", "ROLLBACK TO SAVEPOINT a", "RELEASE a", "rollback work to b;", `SAVEPOINT "x"`, "\tsavepoint c", "\v\fsavepoint d", "\u00a0savepoint e", "\u0085rollback to f"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if op, _ := ParseSavepoint(q); op != NotSavepoint && !MaybeSavepoint(q) {
			t.Fatalf("MaybeSavepoint(%q) = false for a savepoint statement", q)
		}
	})
}

// A rollback to a savepoint drops the items queued since, whatever the
// nesting, and destroys the savepoints set after it; a release keeps them.
func TestSavepointRollbackDropsItemsSince(t *testing.T) {
	tx, _, ran := newTestTx(false)
	tx.Add(&item{name: "1"})
	tx.Savepoint(Set, "a")
	tx.Add(&item{name: "2"})
	tx.Savepoint(Set, "b")
	tx.Add(&item{name: "3"})
	tx.Savepoint(Release, "b")
	tx.Add(&item{name: "4"})
	tx.Savepoint(RollbackTo, "b") // released: ignored
	tx.Savepoint(RollbackTo, "a")
	tx.Add(&item{name: "5"})
	tx.Savepoint(RollbackTo, "a") // still set after a rollback to it
	tx.Add(&item{name: "6"})
	tx.Savepoint(RollbackTo, "unknown")
	tx.Savepoint(NotSavepoint, "a")
	tx.Commit()
	checkNames(t, "committed", *ran, []string{"1", "6"})
}

// A savepoint of the same name hides the older one until released; MySQL
// replaces it, so that after the release no savepoint of that name is left.
func TestSavepointSameName(t *testing.T) {
	for _, tt := range []struct {
		mysql bool
		want  []string
	}{
		{false, []string{"1"}},
		{true, []string{"1", "2", "3", "4"}},
	} {
		tx, _, ran := newTestTx(tt.mysql)
		tx.Add(&item{name: "1"})
		tx.Savepoint(Set, "a")
		tx.Add(&item{name: "2"})
		tx.Savepoint(Set, "a")
		tx.Add(&item{name: "3"})
		tx.Savepoint(Release, "a")
		tx.Add(&item{name: "4"})
		tx.Savepoint(RollbackTo, "a")
		tx.Commit()
		checkNames(t, fmt.Sprintf("mysql=%v", tt.mysql), *ran, tt.want)
	}
}
