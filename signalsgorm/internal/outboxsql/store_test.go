package outboxsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// The rows of a transaction are written in their order (ids increasing
// with it), byte for byte, with the database's clock, on each database.
// On PostgreSQL they go in one INSERT: the payloads joined in one text,
// or in an array when one holds the separator, through pgx's extended and
// simple protocols; and in INSERTs of VALUES lists once a driver refused
// a slice (database/sql's refusal, before anything is sent: the
// transaction goes on).
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
			for _, c := range appendCases {
				t.Run(c.name, func(t *testing.T) {
					got := appendAndCheck(t, s, sqlDB, c.rows())
					if want := c.statements(d); got != want {
						t.Errorf("statements: %s, want %s", got, want)
					}
				})
			}
			if d != "postgres" {
				return
			}
			var schema string
			if err := sqlDB.QueryRow("SELECT current_schema()").Scan(&schema); err != nil {
				t.Fatal(err)
			}
			dsn := dbtest.PostgresDSN() + " search_path=" + schema
			t.Run("simple protocol", func(t *testing.T) { // PreferSimpleProtocol, pgbouncer
				simple := openPostgres(t, "pgx", dsn+" default_query_exec_mode=simple_protocol")
				s := NewStore(d)
				for _, c := range appendCases {
					if got, want := appendAndCheck(t, s, simple, c.rows()), c.statements(d); got != want {
						t.Errorf("%s: statements %s, want %s", c.name, got, want)
					}
				}
			})
			t.Run("driver refusing slices", func(t *testing.T) {
				plain := openPostgres(t, noSlicesDriver, dsn)
				s := NewStore(d)
				rows := appendCases[1].rows()
				if got := appendAndCheck(t, s, plain, rows); got != "joined,values" || !s.noArrays.Load() {
					t.Fatalf("statements %s, arrays given up: %v; want joined then values", got, s.noArrays.Load())
				}
				if got := appendAndCheck(t, s, plain, rows); got != "values" {
					t.Fatalf("statements %s once refused, want values", got)
				}
			})
		})
	}
}

// An appendCase is a transaction TestAppendRows writes.
type appendCase struct {
	name  string
	rows  func() []Row
	joins bool // on PostgreSQL: the payloads go in one text, else in an array
}

// statements returns the statements the case takes on dialect: on
// PostgreSQL one INSERT of unnest, joined or of arrays, or a VALUES
// INSERT for one row; elsewhere VALUES INSERTs, not recorded ("").
func (c appendCase) statements(dialect string) string {
	switch {
	case dialect != "postgres":
		return ""
	case len(c.rows()) == 1:
		return "values"
	case c.joins:
		return "joined"
	}
	return "arrays"
}

var appendCases = []appendCase{
	{"300 rows", func() []Row { return makeRows(300) }, true},
	{"two rows", func() []Row { return makeRows(2) }, true},
	{"one row", func() []Row { return makeRows(1) }, false},
	{"empty payloads", func() []Row {
		rows := makeRows(3)
		rows[0].Payload, rows[2].Payload = nil, []byte{}
		return rows
	}, true},
	{"a payload with the separator", func() []Row {
		rows := makeRows(5)
		rows[2].Payload = append(rows[2].Payload, recordSeparator) // not JSON, but a store writes what it is given
		rows[4].Payload = []byte{recordSeparator}
		return rows
	}, false},
}

// makeRows returns n rows with payloads that need quoting in SQL and in
// arrays, and receivers and topics that vary.
func makeRows(n int) []Row {
	rows := make([]Row, n)
	names := []string{"mail.welcome", `a,b {c} "d" \e`, "NULL", " spaced ", "é"}
	for i := range rows {
		rows[i] = Row{EventID: fmt.Sprintf("e%d", i), Receiver: names[i%len(names)], Topic: names[(i+1)%len(names)],
			Payload: []byte(fmt.Sprintf(`{"i":%d,"s":"a\"b\\c{},'"}`, i))}
	}
	return rows
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

// appendAndCheck empties the table, writes rows in one transaction of db
// and reads them back in id order. On PostgreSQL it returns the kinds of
// the statements written, in order, without repeats: joined, arrays,
// values.
func appendAndCheck(t *testing.T, s *Store, db *sql.DB, rows []Row) string {
	t.Helper()
	if _, err := db.Exec("DELETE FROM " + Table); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{Tx: tx}
	var exec outbox.Execer = tx // SQLite and MySQL: the *sql.Tx itself, so that its prepared INSERTs are used
	if s.dialect == "postgres" {
		exec = rec
	}
	if err := s.AppendRows(ctx, db, exec, rows); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rs, err := db.Query("SELECT event_id, receiver, topic, payload, created_at FROM " + Table + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	i := 0
	for ; rs.Next(); i++ {
		var id, receiver, topic, payload string
		var at int64
		if err := rs.Scan(&id, &receiver, &topic, &payload, &at); err != nil {
			t.Fatal(err)
		}
		if i >= len(rows) {
			continue
		}
		if w := rows[i]; id != w.EventID || receiver != w.Receiver || topic != w.Topic || payload != string(w.Payload) || at < 1_700_000_000_000_000 {
			t.Fatalf("row %d: %q %q %q %q %d, want %q %q %q %q and a time in microseconds", i, id, receiver, topic, payload, at,
				w.EventID, w.Receiver, w.Topic, w.Payload)
		}
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(rows) {
		t.Fatalf("%d rows, want %d", i, len(rows))
	}
	return strings.Join(rec.kinds, ",")
}

// A recorder passes the statements of a transaction on to it, and notes
// their kinds.
type recorder struct {
	*sql.Tx
	kinds []string
}

func (r *recorder) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	kind := "values"
	switch {
	case strings.Contains(q, "string_to_array"):
		kind = "joined"
	case strings.Contains(q, "unnest"):
		kind = "arrays"
	}
	if len(r.kinds) == 0 || r.kinds[len(r.kinds)-1] != kind {
		r.kinds = append(r.kinds, kind)
	}
	return r.Tx.ExecContext(ctx, q, args...)
}

// noSlicesDriver is pgx without its argument checker, as database/sql
// sees a driver that takes no Go slice: database/sql refuses them itself.
const noSlicesDriver = "pgx-noslices"

func init() { sql.Register(noSlicesDriver, noSlices{stdlib.GetDefaultDriver()}) }

type noSlices struct{ driver.Driver }

func (d noSlices) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return plainConn{c}, nil
}

// plainConn has only driver.Conn's methods: statements are prepared, and
// arguments checked by database/sql's default converter.
type plainConn struct{ driver.Conn }

func openPostgres(t *testing.T, driverName, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
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
