package signalsgorm

import "testing"

func TestParseSavepoint(t *testing.T) {
	tests := []struct {
		q    string
		op   spOp
		name string
	}{
		{"SAVEPOINT sp123", spSet, "sp123"},
		{"  savepoint Sp1;", spSet, "sp1"},
		{`SAVEPOINT "Mixed"`, spSet, "Mixed"},
		{"SAVEPOINT `x y`", spNone, ""}, // two words: not a name we can follow
		{"SAVEPOINT `xy`", spSet, "xy"},
		{"ROLLBACK TO SAVEPOINT sp1", spRollback, "sp1"},
		{"rollback to sp1", spRollback, "sp1"},
		{"ROLLBACK WORK TO SAVEPOINT sp1", spRollback, "sp1"},
		{"ROLLBACK TRANSACTION TO SAVEPOINT sp1", spRollback, "sp1"},
		{"ROLLBACK TO SAVEPOINT savepoint", spRollback, "savepoint"},
		{"RELEASE SAVEPOINT sp1", spRelease, "sp1"},
		{"release sp1", spRelease, "sp1"},
		{"ROLLBACK", spNone, ""},
		{"ROLLBACK WORK", spNone, ""},
		{"SELECT 1", spNone, ""},
		{"SAVEPOINT", spNone, ""},
		{"ROLLBACK TO", spNone, ""},
		{"RESET ALL", spNone, ""},
		{"SET x = 1", spNone, ""},
		{"", spNone, ""},
		{"\u00a0\vSAVEPOINT a", spSet, "a"},
	}
	for _, tt := range tests {
		op, name := parseSavepoint(tt.q)
		if op != tt.op || name != tt.name {
			t.Errorf("parseSavepoint(%q) = %v, %q; want %v, %q", tt.q, op, name, tt.op, tt.name)
		}
		if tt.op != spNone && !maybeSavepoint(tt.q) {
			t.Errorf("maybeSavepoint(%q) = false", tt.q)
		}
	}
	for _, q := range []string{"INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "  DELETE FROM t", "\n", "COMMIT"} {
		if maybeSavepoint(q) {
			t.Errorf("maybeSavepoint(%q) = true", q)
		}
	}
}

// The fast test must never skip a statement the parser recognises.
func FuzzParseSavepoint(f *testing.F) {
	for _, q := range []string{"SAVEPOINT a", "ROLLBACK TO SAVEPOINT a", "RELEASE a", "rollback work to b;", `SAVEPOINT "x"`, "\tsavepoint c", "\v\fsavepoint d", "\u00a0savepoint e", "\u0085rollback to f"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if op, _ := parseSavepoint(q); op != spNone && !maybeSavepoint(q) {
			t.Fatalf("maybeSavepoint(%q) = false for a savepoint statement", q)
		}
	})
}
