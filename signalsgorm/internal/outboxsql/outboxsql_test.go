package outboxsql

import (
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	for _, c := range []struct{ dialect, q, want string }{
		{"postgres", "INSERT INTO t (a, b) VALUES (?, ?)", "INSERT INTO t (a, b) VALUES ($1, $2)"},
		{"sqlite", "SELECT ? + ?", "SELECT ? + ?"},
		{"mysql", "SELECT ?", "SELECT ?"},
		{"postgres", "SELECT 1", "SELECT 1"},
	} {
		if got := Rebind(c.dialect, c.q); got != c.want {
			t.Errorf("Rebind(%s, %q) = %q, want %q", c.dialect, c.q, got, c.want)
		}
	}
}

func TestInsertIgnore(t *testing.T) {
	for _, c := range []struct{ dialect, want string }{
		{"mysql", "INSERT IGNORE INTO t (a, b) VALUES (?, 0)"},
		{"postgres", "INSERT INTO t (a, b) VALUES (?, 0) ON CONFLICT DO NOTHING"},
		{"sqlite", "INSERT INTO t (a, b) VALUES (?, 0) ON CONFLICT DO NOTHING"},
	} {
		if got := InsertIgnore(c.dialect, "t", "a, b", "?, 0"); got != c.want {
			t.Errorf("InsertIgnore(%s) = %q, want %q", c.dialect, got, c.want)
		}
	}
}

// Every dialect gets the three tables and the pending index, inline on
// MySQL, which has no CREATE INDEX IF NOT EXISTS.
func TestDDL(t *testing.T) {
	for _, d := range []string{"sqlite", "postgres", "mysql"} {
		all := strings.Join(DDL(d), "\n")
		for _, want := range []string{Table + " (", Processed + " (", Leases + " (", "signals_outbox_pending"} {
			if !strings.Contains(all, want) {
				t.Errorf("%s: no %q in\n%s", d, want, all)
			}
		}
		if inline := strings.Contains(all, "\tINDEX signals_outbox_pending"); inline != (d == "mysql") {
			t.Errorf("%s: inline index = %v", d, inline)
		}
	}
}
