package workload_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/benchmarks/workload"
)

func TestKind(t *testing.T) {
	for _, c := range []struct{ sql, want string }{
		{"SELECT * FROM books", "select"},
		{"  select 1", "select"},
		{"WITH x AS (SELECT 1) SELECT * FROM x", "select"},
		{"(SELECT 1) UNION (SELECT 2)", "select"},
		{"INSERT INTO books (title) VALUES (?) RETURNING id", "insert"},
		{"REPLACE INTO books VALUES (1)", "insert"},
		{"UPDATE books SET title=?", "update"},
		{"DELETE FROM comments WHERE id IN (?,?)", "delete"},
		{"delete\nfrom x", "delete"},
		{"SAVEPOINT sp1", "other"},
		{"BEGIN", "other"},
		{"PRAGMA foreign_keys = ON", "other"},
		{"", "other"},
	} {
		if got := workload.Kind(c.sql); got != c.want {
			t.Errorf("Kind(%q) = %q, want %q", c.sql, got, c.want)
		}
	}
}

// Statements are counted whichever way database/sql runs them: directly on
// the connection, or prepared first (GORM's PrepareStmt).
func TestQueriesCountsDirectAndPreparedStatements(t *testing.T) {
	db := open(t, false)
	for _, s := range []*gorm.DB{db.DB, db.Session(&gorm.Session{PrepareStmt: true})} {
		db.Queries.Reset()
		if err := s.Create(&workload.Entry{Title: "a"}).Error; err != nil {
			t.Fatal(err)
		}
		var e workload.Entry
		if err := s.First(&e).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Exec("SAVEPOINT x").Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Exec("RELEASE x").Error; err != nil {
			t.Fatal(err)
		}
		k := db.Queries.Kinds()
		if k["insert"] != 1 || k["select"] != 1 || k["other"] != 2 || db.Queries.Data() != 2 {
			t.Errorf("PrepareStmt %v: counts %v, want 1 insert, 1 select, 2 other", s.PrepareStmt, k)
		}
	}
}
