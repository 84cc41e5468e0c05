package outboxsql

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosignals/signals/outbox"
)

// RowsPerInsert is the most rows one INSERT of [Store.AppendRows] writes
// on SQLite and MySQL: 4 placeholders a row stay under SQLite's oldest
// limit of 999. The INSERTs write a power of two of rows each (128, 64,
// ..., 1), prepared once per connection, so that a connection prepares at
// most eight of them. PostgreSQL gets every row of a transaction in one
// INSERT of four parameters ([Store.AppendRows]).
const RowsPerInsert = 128

// Store is the embedded outbox as an [outbox.Store]: it writes one row per
// (event, receiver) to [Table] in the writer's transaction. The plugin
// stages the rows of a transaction and writes them with [Store.AppendRows]
// just before the commit; [Store.Append] writes one row at once. Package
// outboxgorm delivers the rows.
type Store struct {
	dialect string
	now     string

	mu        sync.Mutex
	inserts   map[int]string    // INSERT of n rows
	prepared  map[int]*sql.Stmt // the same, prepared on db
	preparing map[int]bool
	db        *sql.DB
	// noArrays is set once the driver refused a Go slice as a PostgreSQL
	// array (pgx takes them, and lib/pq from v1.11): the rows then go in
	// INSERTs of VALUES lists, as on the other databases.
	noArrays atomic.Bool
}

// NewStore returns the store of a database of dialect.
func NewStore(dialect string) *Store {
	return &Store{dialect: dialect, now: Now(dialect), inserts: map[int]string{}, prepared: map[int]*sql.Stmt{}}
}

// PerReceiver implements outbox.Store: the embedded outbox delivers each
// receiver's rows itself.
func (s *Store) PerReceiver() bool { return true }

// Row is one row of the outbox: an event bound for one receiver.
type Row struct {
	EventID, Receiver, Topic string
	Payload                  []byte
}

// Append implements outbox.Store: it inserts m's row with tx.
func (s *Store) Append(ctx context.Context, tx outbox.Execer, m *outbox.Message) error {
	return s.AppendRows(ctx, nil, tx, []Row{{EventID: m.Envelope.ID, Receiver: m.Receiver, Topic: m.Topic, Payload: m.Payload}})
}

// AppendRows inserts rows with tx, in order. On PostgreSQL they go in one
// INSERT of four parameters (arrays, and the payloads in one text), a
// statement whose text does not depend on their number, which pgx
// prepares once per connection: measured against INSERTs of up to 128
// VALUES rows (four parameters a row), writes alone (no worker running) of
// transactions of 100 events took 12.5-13 µs of CPU per event instead of
// 20-21, and allocated 486 KB per transaction instead of 791
// (BenchmarkDurableEmbedded, postgres/writers=1/no-delivery). Elsewhere
// they go in INSERTs of up to [RowsPerInsert] rows each; when db is given
// and tx is one of its transactions, those are statements db prepared
// (once per connection: no parsing of the SQL per transaction).
func (s *Store) AppendRows(ctx context.Context, db *sql.DB, tx outbox.Execer, rows []Row) error {
	if s.dialect == "postgres" && len(rows) > 1 && !s.noArrays.Load() {
		err := s.appendArrays(ctx, tx, rows)
		if err == nil || !refusedArgument(err) {
			return explain(err)
		}
		s.noArrays.Store(true) // refused before it was sent: tx is intact
	}
	sqlTx, _ := tx.(*sql.Tx)
	for len(rows) > 0 {
		n := RowsPerInsert
		if s.dialect == "postgres" {
			n, db = min(n, len(rows)), nil
		}
		for n > len(rows) {
			n /= 2
		}
		args := make([]any, 0, 4*n)
		for _, r := range rows[:n] {
			args = append(args, r.EventID, r.Receiver, r.Topic, string(r.Payload))
		}
		var err error
		if stmt := s.stmt(db, n); stmt != nil && sqlTx != nil {
			_, err = sqlTx.StmtContext(ctx, stmt).ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, s.insert(n), args...)
		}
		if err != nil {
			return explain(err)
		}
		rows = rows[n:]
	}
	return nil
}

// The INSERTs of a transaction's rows on PostgreSQL, in the order of the
// parameters (the ids follow it): event IDs, receivers and topics are
// arrays; the payloads are one text of payloads separated by
// recordSeparator (insertJoined), which the driver copies once where it
// encodes an array element by element, or an array when a payload holds
// the separator (insertArrays).
var (
	insertJoined = insertUnnest("string_to_array($4, chr(30))")
	insertArrays = insertUnnest("CAST($4 AS TEXT[])")
)

// recordSeparator (U+001E) separates the payloads in insertJoined's
// parameter: JSON text never holds it unescaped (RFC 8259 escapes every
// control character within strings and allows none outside them).
const recordSeparator = 0x1e

func insertUnnest(payloads string) string {
	return "INSERT INTO " + Table + " (event_id, receiver, topic, payload, created_at) SELECT e, r, t, p, " + Now("postgres") +
		" FROM unnest(CAST($1 AS TEXT[]), CAST($2 AS TEXT[]), CAST($3 AS TEXT[]), " + payloads + ")" +
		" WITH ORDINALITY AS u(e, r, t, p, n) ORDER BY n"
}

func (s *Store) appendArrays(ctx context.Context, tx outbox.Execer, rows []Row) error {
	n := len(rows)
	cols := make([]string, 3*n)
	ids, receivers, topics := cols[:n], cols[n:2*n], cols[2*n:]
	size, joined := 0, true
	for i, r := range rows {
		ids[i], receivers[i], topics[i] = r.EventID, r.Receiver, r.Topic
		size += len(r.Payload) + 1
		joined = joined && bytes.IndexByte(r.Payload, recordSeparator) < 0
	}
	if !joined {
		payloads := make([]string, n)
		for i, r := range rows {
			payloads[i] = string(r.Payload)
		}
		_, err := tx.ExecContext(ctx, insertArrays, ids, receivers, topics, payloads)
		return err
	}
	var b strings.Builder
	b.Grow(size)
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(recordSeparator)
		}
		b.Write(r.Payload)
	}
	_, err := tx.ExecContext(ctx, insertJoined, ids, receivers, topics, b.String())
	return err
}

// refusedArgument reports whether err is database/sql's refusal of an
// argument its driver cannot take, returned before anything is sent.
func refusedArgument(err error) bool {
	return strings.HasPrefix(err.Error(), "sql: converting argument")
}

// explain adds to an error naming the outbox table what to do about it.
func explain(err error) error {
	if err != nil && strings.Contains(strings.ToLower(err.Error()), Table) {
		return fmt.Errorf("%w (create the outbox tables with outboxgorm's Outbox.Migrate)", err)
	}
	return err
}

// stmt returns the INSERT of n rows prepared on db, or nil when db is nil
// or the statement is not prepared yet. Preparing on db takes a
// connection of its pool, which the caller's transaction may hold the last
// of: it is done in the background, and the INSERTs run unprepared
// meanwhile (or for good, when the table is missing).
func (s *Store) stmt(db *sql.DB, n int) *sql.Stmt {
	if db == nil {
		return nil
	}
	q := s.insert(n)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db != db { // a Store serves one database; this guards against misuse
		s.db, s.prepared, s.preparing = db, map[int]*sql.Stmt{}, map[int]bool{}
	}
	if st, ok := s.prepared[n]; ok || s.preparing[n] {
		return st
	}
	s.preparing[n] = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := db.PrepareContext(ctx, q)
		s.mu.Lock()
		defer s.mu.Unlock()
		if err != nil || s.db != db {
			delete(s.preparing, n) // try again at a later transaction
			return
		}
		s.prepared[n] = st
	}()
	return nil
}

// insert returns the INSERT of n rows.
func (s *Store) insert(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.inserts[n]; ok {
		return q
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + Table + " (event_id, receiver, topic, payload, created_at) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?, ?, ?, " + s.now + ")")
	}
	q := Rebind(s.dialect, b.String())
	s.inserts[n] = q
	return q
}

var _ outbox.Store = (*Store)(nil)
