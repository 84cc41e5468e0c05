package outboxsql

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gosignals/signals/outbox"
)

// Store is the embedded outbox as an [outbox.Store]: it appends one row
// per (event, receiver) to [Table] in the writer's transaction. Package
// outboxgorm delivers the rows.
type Store struct {
	insert string
}

// NewStore returns the store of a database of dialect.
func NewStore(dialect string) *Store {
	return &Store{insert: Rebind(dialect,
		"INSERT INTO "+Table+" (event_id, receiver, topic, payload, created_at) VALUES (?, ?, ?, ?, ?)")}
}

// PerReceiver implements outbox.Store: the embedded outbox delivers each
// receiver's rows itself.
func (s *Store) PerReceiver() bool { return true }

// Append implements outbox.Store: it inserts m's row with tx.
func (s *Store) Append(ctx context.Context, tx outbox.Execer, m *outbox.Message) error {
	_, err := tx.ExecContext(ctx, s.insert, m.Envelope.ID, m.Receiver, m.Topic, string(m.Payload), time.Now().UnixMicro())
	if err != nil && strings.Contains(strings.ToLower(err.Error()), Table) {
		return fmt.Errorf("%w (create the outbox tables with outboxgorm's Outbox.Migrate)", err)
	}
	return err
}

var _ outbox.Store = (*Store)(nil)
