package outboxsql

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	_ "github.com/lib/pq" // the other PostgreSQL driver

	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// The rows of a transaction are written in their order (ids increasing
// with it), with the database's clock, on each database. On PostgreSQL
// they go in one INSERT of arrays, with pgx (either protocol) and with
// lib/pq, the payloads joined in one text or, when one holds the
// separator, in an array; or in INSERTs of VALUES lists once a driver
// refused a slice.
func TestAppendRows(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			db := dbtest.Open(t, dialect)
			sqlDB, err := db.DB()
			if err != nil {
				t.Fatal(err)
			}
			d := db.Dialector.Name()
			createTable(t, sqlDB, d)
			s := NewStore(d)
			appendAndCheck(t, s, sqlDB, 300, false)
			appendAndCheck(t, s, sqlDB, 300, true)
			if s.noArrays.Load() {
				t.Errorf("%s: the store gave arrays up", dialect)
			}
			if dialect != "postgres" {
				return
			}
			var schema string
			if err := sqlDB.QueryRow("SELECT current_schema()").Scan(&schema); err != nil {
				t.Fatal(err)
			}
			pq, err := sql.Open("postgres", dbtest.PostgresDSN()+" search_path="+schema)
			if err != nil {
				t.Fatal(err)
			}
			defer pq.Close()
			s = NewStore(d)
			appendAndCheck(t, s, pq, 300, false) // lib/pq takes []string as text[] too
			appendAndCheck(t, s, pq, 300, true)
			simple, err := sql.Open("pgx", dbtest.PostgresDSN()+" search_path="+schema+" default_query_exec_mode=simple_protocol")
			if err != nil {
				t.Fatal(err)
			}
			defer simple.Close()
			s = NewStore(d)
			appendAndCheck(t, s, simple, 300, false) // pgx's simple protocol (PreferSimpleProtocol, pgbouncer)
			appendAndCheck(t, s, simple, 300, true)
			if s.noArrays.Load() {
				t.Error("pgx, simple protocol: the store gave arrays up")
			}
			s = NewStore(d)
			s.noArrays.Store(true) // as with a driver that refuses slices
			appendAndCheck(t, s, sqlDB, 300, true)
		})
	}
}

func createTable(t *testing.T, db *sql.DB, dialect string) {
	t.Helper()
	id := "id INTEGER PRIMARY KEY AUTOINCREMENT"
	switch dialect {
	case "postgres":
		id = "id BIGSERIAL PRIMARY KEY"
	case "mysql":
		id = "id BIGINT AUTO_INCREMENT PRIMARY KEY"
	}
	if _, err := db.Exec("CREATE TABLE " + Table + " (" + id + ", event_id VARCHAR(36) NOT NULL, receiver VARCHAR(128) NOT NULL," +
		" topic VARCHAR(255) NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
}

// appendAndCheck empties the table, writes n rows in one transaction of db
// and reads them back in id order; with sep, a payload holds the record
// separator.
func appendAndCheck(t *testing.T, s *Store, db *sql.DB, n int, sep bool) {
	t.Helper()
	if _, err := db.Exec("DELETE FROM " + Table); err != nil {
		t.Fatal(err)
	}
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{EventID: fmt.Sprintf("e%d", i), Receiver: "r", Topic: "t", Payload: []byte(fmt.Sprintf(`{"i":%d,"s":"a\"b\\c{},"}`, i))}
	}
	if sep {
		rows[n/2].Payload = append(rows[n/2].Payload, recordSeparator) // not JSON, but a store writes what it is given
	}
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AppendRows(ctx, db, tx, rows); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rs, err := db.Query("SELECT event_id, payload, created_at FROM " + Table + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	i := 0
	for ; rs.Next(); i++ {
		var id, payload string
		var at int64
		if err := rs.Scan(&id, &payload, &at); err != nil {
			t.Fatal(err)
		}
		if i < n && (id != rows[i].EventID || payload != string(rows[i].Payload) || at < 1_700_000_000_000_000) {
			t.Fatalf("row %d: %s %s %d, want %s %s and a time in microseconds", i, id, payload, at, rows[i].EventID, rows[i].Payload)
		}
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if i != n {
		t.Fatalf("%d rows, want %d", i, n)
	}
}

// A driver's refusal of a slice is database/sql's, made before anything is
// sent: the transaction goes on.
func TestRefusedArgument(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := sqlDB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.Exec("SELECT ?", []string{"a"})
	if err == nil || !refusedArgument(err) {
		t.Fatalf("SQLite given a []string: %v, want database/sql's refusal", err)
	}
	var one int
	if err := tx.QueryRow("SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("the transaction after the refusal: %d, %v", one, err)
	}
}
