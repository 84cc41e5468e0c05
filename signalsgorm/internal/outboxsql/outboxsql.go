// Package outboxsql is the SQL shared by the plugin, which writes durable
// receivers' events to the embedded outbox table, and package outboxgorm,
// which delivers the rows: table names, row statuses, the database's clock
// in each dialect, placeholder rebinding and the inserts of rows. The
// tables themselves are made by the versioned SQL files of outboxgorm.
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
	// Schema records the versions of the outbox's schema applied.
	Schema = "signals_outbox_schema"
)

// Row statuses of [Table], stored as text.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusDead      = "dead"
)

// ProcessedDDL creates the [Processed] table.
const ProcessedDDL = `CREATE TABLE IF NOT EXISTS ` + Processed + ` (
	receiver VARCHAR(128) NOT NULL,
	event_id VARCHAR(36) NOT NULL,
	processed_at BIGINT NOT NULL,
	PRIMARY KEY (receiver, event_id)
)`

// Now returns the SQL expression of the database's current time, in
// microseconds since the Unix epoch, in dialect (a gorm Dialector name:
// "sqlite", "postgres", "mysql"). Every time the outbox stores or compares
// (creation, delivery, lease expiry) is the database's, so that the clocks
// of the processes sharing it do not matter. SQLite's clock has
// millisecond resolution (and needs SQLite 3.42 for 'subsec'). PostgreSQL's
// is now(), the start of the transaction, through date_part's float (EXTRACT's
// numeric, or clock_timestamp(), doubles the cost of a multi-row INSERT).
func Now(dialect string) string {
	switch dialect {
	case "postgres":
		return "CAST(date_part('epoch', now()) * 1000000 AS BIGINT)"
	case "mysql":
		return "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))"
	}
	return "CAST(unixepoch('subsec') * 1000000 AS INTEGER)"
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
	b.Grow(len(q) + strings.Count(q, "?")*3)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
