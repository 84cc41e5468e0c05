// Package outboxsql is the SQL shared by the plugin, which writes durable
// receivers' events to the embedded outbox table, and package outboxgorm,
// which creates the tables and delivers the rows: table names, row
// statuses, the DDL of each dialect, placeholder rebinding and the insert
// of one row.
package outboxsql

import (
	"strconv"
	"strings"
)

// The tables of the embedded outbox.
const (
	// Table holds one row per (event, receiver).
	Table = "signals_outbox"
	// Processed records the deliveries an idempotent receiver applied.
	Processed = "signals_processed"
	// Leases holds each receiver's worker lease.
	Leases = "signals_outbox_leases"
)

// Row statuses of [Table].
const (
	StatusPending   = 0
	StatusDelivered = 1
	StatusDead      = 2
)

// ProcessedDDL creates the [Processed] table.
const ProcessedDDL = `CREATE TABLE IF NOT EXISTS ` + Processed + ` (
	receiver VARCHAR(128) NOT NULL,
	event_id VARCHAR(36) NOT NULL,
	processed_at BIGINT NOT NULL,
	PRIMARY KEY (receiver, event_id)
)`

// DDL returns the statements that create the three tables on dialect (a
// gorm Dialector name: "sqlite", "postgres", "mysql").
func DDL(dialect string) []string {
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
		`CREATE TABLE IF NOT EXISTS ` + Table + ` (
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
		ProcessedDDL,
		`CREATE TABLE IF NOT EXISTS ` + Leases + ` (
	receiver VARCHAR(128) NOT NULL PRIMARY KEY,
	owner VARCHAR(64) NOT NULL,
	expires_at BIGINT NOT NULL
)`,
	}
	if idx {
		ddl = append(ddl, `CREATE INDEX IF NOT EXISTS signals_outbox_pending ON `+Table+` (receiver, status, id)`)
	}
	return ddl
}

// InsertIgnore returns an INSERT of the given columns (placeholders
// included in values) into table that does nothing when the row's key
// exists, in dialect's syntax.
func InsertIgnore(dialect, table, columns, values string) string {
	if dialect == "mysql" {
		return "INSERT IGNORE INTO " + table + " (" + columns + ") VALUES (" + values + ")"
	}
	return "INSERT INTO " + table + " (" + columns + ") VALUES (" + values + ") ON CONFLICT DO NOTHING"
}

// Rebind turns ? placeholders into $1, $2... for PostgreSQL and returns
// other dialects' queries unchanged.
func Rebind(dialect, q string) string {
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
