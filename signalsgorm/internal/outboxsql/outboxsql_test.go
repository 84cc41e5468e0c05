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

// The INSERT of n rows has n tuples of four placeholders and the
// database's clock, numbered on PostgreSQL; a statement is made once per
// size.
func TestStoreInsert(t *testing.T) {
	pg := NewStore("postgres")
	q := pg.insert(3)
	if !strings.HasSuffix(q, "($9, $10, $11, $12, "+Now("postgres")+")") || strings.Count(q, "(") != 1+3*4 {
		t.Errorf("postgres insert of 3: %s", q)
	}
	if pg.insert(3) != q {
		t.Error("not cached")
	}
	lite := NewStore("sqlite")
	if q := lite.insert(2); strings.Count(q, "?") != 8 || !strings.Contains(q, "unixepoch") {
		t.Errorf("sqlite insert of 2: %s", q)
	}
}
