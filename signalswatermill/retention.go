package signalswatermill

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

func (s *SQLOutbox) tables(i int) (messages, offsets string) {
	if s.Dialect == Postgres {
		return `"watermill_` + s.topic(i) + `"`, `"watermill_offsets_` + s.topic(i) + `"`
	}
	return "`watermill_" + s.topic(i) + "`", ""
}

// relayed is the condition of the rows of partition i the relay has
// forwarded.
func (s *SQLOutbox) relayed(i int) string {
	_, offsets := s.tables(i)
	if s.Dialect == Postgres {
		return `(transaction_id, "offset") <= (SELECT last_processed_transaction_id, offset_acked FROM ` + offsets +
			` WHERE consumer_group = 'signals_relay')`
	}
	return "acked = TRUE"
}

// Backlog returns the number of events written to the outbox and not yet
// relayed to the broker, and the age of the oldest of them.
func (s *SQLOutbox) Backlog(ctx context.Context, db *sql.DB) (n int64, lag time.Duration, err error) {
	if _, _, err := s.adapters(); err != nil {
		return 0, 0, err
	}
	for i := range s.partitions() {
		pn, plag, err := s.backlog(ctx, db, i)
		if err != nil {
			return 0, 0, err
		}
		n, lag = n+pn, max(lag, plag)
	}
	return n, lag, nil
}

func (s *SQLOutbox) backlog(ctx context.Context, db *sql.DB, i int) (n int64, lag time.Duration, err error) {
	messages, _ := s.tables(i)
	// The age is computed by the database: created_at is in its clock and
	// time zone.
	var secs sql.NullFloat64
	q := "SELECT COUNT(*), TIMESTAMPDIFF(MICROSECOND, MIN(created_at), NOW()) / 1e6 FROM " + messages + " WHERE NOT (" + s.relayed(i) + ")"
	if s.Dialect == Postgres {
		// No offsets row yet: nothing was relayed (the comparison is NULL).
		q = "SELECT COUNT(*), EXTRACT(EPOCH FROM (LOCALTIMESTAMP - MIN(created_at)))::float8 FROM " + messages +
			" WHERE NOT COALESCE(" + s.relayed(i) + ", FALSE)"
	}
	if err := db.QueryRowContext(ctx, q).Scan(&n, &secs); err != nil {
		return 0, 0, fmt.Errorf("signalswatermill: outbox backlog: %w", err)
	}
	if secs.Valid {
		lag = max(time.Duration(secs.Float64*float64(time.Second)), 0)
	}
	return n, lag, nil
}

// Purge deletes the relayed outbox rows older than age and returns how
// many it deleted; rows not relayed yet are kept.
func (s *SQLOutbox) Purge(ctx context.Context, db *sql.DB, age time.Duration) (int64, error) {
	if _, _, err := s.adapters(); err != nil {
		return 0, err
	}
	var total int64
	for i := range s.partitions() {
		messages, _ := s.tables(i)
		q := "DELETE FROM " + messages + " WHERE created_at < NOW() - INTERVAL ? MICROSECOND AND " + s.relayed(i)
		if s.Dialect == Postgres {
			q = "DELETE FROM " + messages + " WHERE created_at < LOCALTIMESTAMP - $1 * INTERVAL '1 microsecond' AND " + s.relayed(i)
		}
		res, err := db.ExecContext(ctx, q, age.Microseconds())
		if err != nil {
			return 0, fmt.Errorf("signalswatermill: purging the outbox: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
