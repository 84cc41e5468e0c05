package outboxsql

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/gosignals/signals/outbox"
)

// RowsPerInsert is the most rows one INSERT of [Store.AppendRows] writes:
// 4 placeholders a row stay under SQLite's oldest limit of 999.
const RowsPerInsert = 200

// Store is the embedded outbox as an [outbox.Store]: it writes one row per
// (event, receiver) to [Table] in the writer's transaction. The plugin
// stages the rows of a transaction and writes them with [Store.AppendRows]
// just before the commit; [Store.Append] writes one row at once. Package
// outboxgorm delivers the rows.
type Store struct {
	dialect string
	now     string

	mu      sync.Mutex
	inserts map[int]string // INSERT of n rows
}

// NewStore returns the store of a database of dialect.
func NewStore(dialect string) *Store {
	return &Store{dialect: dialect, now: Now(dialect), inserts: map[int]string{}}
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
	return s.AppendRows(ctx, tx, []Row{{EventID: m.Envelope.ID, Receiver: m.Receiver, Topic: m.Topic, Payload: m.Payload}})
}

// AppendRows inserts rows with tx, in order, with INSERTs of up to
// [RowsPerInsert] rows each.
func (s *Store) AppendRows(ctx context.Context, tx outbox.Execer, rows []Row) error {
	for len(rows) > 0 {
		n := min(len(rows), RowsPerInsert)
		args := make([]any, 0, 4*n)
		for _, r := range rows[:n] {
			args = append(args, r.EventID, r.Receiver, r.Topic, string(r.Payload))
		}
		if _, err := tx.ExecContext(ctx, s.insert(n), args...); err != nil {
			if strings.Contains(strings.ToLower(err.Error()), Table) {
				return fmt.Errorf("%w (create the outbox tables with outboxgorm's Outbox.Migrate)", err)
			}
			return err
		}
		rows = rows[n:]
	}
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
	if len(s.inserts) < 64 { // the sizes of a workload's transactions
		s.inserts[n] = q
	}
	return q
}

var _ outbox.Store = (*Store)(nil)
