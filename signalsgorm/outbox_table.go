package signalsgorm

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
)

// The tables of the embedded outbox.
const (
	OutboxTable    = "signals_outbox"
	ProcessedTable = "signals_processed"
	LeaseTable     = "signals_outbox_leases"
)

// Row statuses of the embedded outbox.
const (
	statusPending   = 0
	statusDelivered = 1
	statusDead      = 2
)

// tableStore is the embedded outbox: one row per (event, receiver) in the
// application's own database, delivered by in-process workers ([Outbox]).
type tableStore struct {
	dialect string
	insert  string
}

func newTableStore(dialect string) *tableStore {
	return &tableStore{dialect: dialect, insert: rebind(dialect,
		"INSERT INTO "+OutboxTable+" (event_id, receiver, topic, payload, created_at) VALUES (?, ?, ?, ?, ?)")}
}

// PerReceiver implements outbox.Store: the embedded outbox delivers each
// receiver's rows itself.
func (s *tableStore) PerReceiver() bool { return true }

// Append implements outbox.Store.
func (s *tableStore) Append(ctx context.Context, tx outbox.Execer, m *outbox.Message) error {
	_, err := tx.ExecContext(ctx, s.insert, m.Envelope.ID, m.Receiver, m.Topic, string(m.Payload), time.Now().UnixMicro())
	if err != nil && strings.Contains(strings.ToLower(err.Error()), OutboxTable) {
		return fmt.Errorf("%w (create the outbox tables with Outbox.Migrate)", err)
	}
	return err
}

// rebind turns ? placeholders into $n for PostgreSQL.
func rebind(dialect, q string) string {
	if dialect != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// processedDDL creates the table of [Once].
const processedDDL = `CREATE TABLE IF NOT EXISTS ` + ProcessedTable + ` (
	receiver VARCHAR(128) NOT NULL,
	event_id VARCHAR(36) NOT NULL,
	processed_at BIGINT NOT NULL,
	PRIMARY KEY (receiver, event_id)
)`

// MigrateOnce creates the table [Once] records deliveries in, if missing.
// The embedded [Outbox.Migrate] creates it too; broker-mode workers, which
// have no embedded outbox, call this.
func MigrateOnce(ctx context.Context, db *gorm.DB) error {
	if err := db.WithContext(ctx).Exec(processedDDL).Error; err != nil {
		return fmt.Errorf("signalsgorm: creating %s: %w", ProcessedTable, err)
	}
	return nil
}

// outboxDDL returns the statements that create the embedded outbox's
// tables on dialect.
func outboxDDL(dialect string) []string {
	id, text, idx := "BIGSERIAL PRIMARY KEY", "TEXT", true
	switch dialect {
	case "sqlite":
		id = "INTEGER PRIMARY KEY AUTOINCREMENT"
	case "mysql":
		id, text, idx = "BIGINT AUTO_INCREMENT PRIMARY KEY", "LONGTEXT", false
	}
	inline := ""
	if !idx {
		inline = ",\n\tINDEX signals_outbox_pending (receiver, status, id)"
	}
	ddl := []string{
		`CREATE TABLE IF NOT EXISTS ` + OutboxTable + ` (
	id ` + id + `,
	event_id VARCHAR(36) NOT NULL,
	receiver VARCHAR(128) NOT NULL,
	topic VARCHAR(255) NOT NULL,
	payload ` + text + ` NOT NULL,
	status SMALLINT NOT NULL DEFAULT 0,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	created_at BIGINT NOT NULL,
	done_at BIGINT` + inline + `
)`,
		processedDDL,
		`CREATE TABLE IF NOT EXISTS ` + LeaseTable + ` (
	receiver VARCHAR(128) NOT NULL PRIMARY KEY,
	owner VARCHAR(64) NOT NULL,
	expires_at BIGINT NOT NULL
)`,
	}
	if idx {
		ddl = append(ddl, `CREATE INDEX IF NOT EXISTS signals_outbox_pending ON `+OutboxTable+` (receiver, status, id)`)
	}
	return ddl
}
