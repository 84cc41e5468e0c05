package txpool

import "testing"

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
