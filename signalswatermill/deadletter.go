package signalswatermill

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/gosignals/signals/outbox"
)

// DeadLetterTableName is the table of [DeadLetterTable].
const DeadLetterTableName = "signals_dead_letters"

// DeadLetterTable keeps the dead letters of broker mode in a SQL table of
// the outbox's database: it is the Watermill publisher the workers' poison
// queue writes to, and it implements outbox.DeadLetters: Replay publishes
// a dead letter again through the outbox, for its receiver only.
type DeadLetterTable struct {
	DB     *sql.DB
	Outbox *SQLOutbox
}

// Init creates the table.
func (t *DeadLetterTable) Init(ctx context.Context) error {
	id, text := "BIGSERIAL PRIMARY KEY", "TEXT"
	if t.Outbox.Dialect == MySQL {
		id, text = "BIGINT AUTO_INCREMENT PRIMARY KEY", "LONGTEXT"
	}
	_, err := t.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+DeadLetterTableName+` (
	id `+id+`,
	receiver VARCHAR(128) NOT NULL,
	event_id VARCHAR(36) NOT NULL,
	topic VARCHAR(255) NOT NULL,
	payload `+text+` NOT NULL,
	metadata `+text+` NOT NULL,
	reason TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	failed_at BIGINT NOT NULL,
	replayed_at BIGINT
)`)
	if err != nil {
		return fmt.Errorf("signalswatermill: creating %s: %w", DeadLetterTableName, err)
	}
	return nil
}

func (t *DeadLetterTable) q(s string) string {
	if t.Outbox.Dialect != Postgres {
		return s
	}
	var b strings.Builder
	n := 0
	for _, c := range s {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Publish implements message.Publisher for the poison queue: each message
// becomes a row, with the receiver (the router handler's name) and the
// reason the middleware recorded.
func (t *DeadLetterTable) Publish(_ string, msgs ...*message.Message) error {
	for _, m := range msgs {
		meta, _ := json.Marshal(m.Metadata)
		attempts, _ := strconv.Atoi(m.Metadata.Get(metaAttempt))
		_, err := t.DB.ExecContext(m.Context(), t.q(`INSERT INTO `+DeadLetterTableName+
			` (receiver, event_id, topic, payload, metadata, reason, attempts, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			m.Metadata.Get(middleware.PoisonedHandlerKey), m.Metadata.Get(MetaEventID), m.Metadata.Get(middleware.PoisonedTopicKey),
			string(m.Payload), string(meta), m.Metadata.Get(middleware.ReasonForPoisonedKey), attempts, time.Now().UnixMicro())
		if err != nil {
			return fmt.Errorf("signalswatermill: writing a dead letter: %w", err)
		}
	}
	return nil
}

// Close implements message.Publisher.
func (t *DeadLetterTable) Close() error { return nil }

// DeadLetters implements outbox.DeadLetters: the dead letters not replayed
// yet, oldest first.
func (t *DeadLetterTable) DeadLetters(ctx context.Context, receiver string, limit int) ([]outbox.DeadLetter, error) {
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT id, receiver, event_id, topic, payload, reason, attempts, failed_at FROM ` + DeadLetterTableName +
		` WHERE replayed_at IS NULL AND (receiver = ? OR ? = '') ORDER BY id LIMIT ?`
	rows, err := t.DB.QueryContext(ctx, t.q(q), receiver, receiver, limit)
	if err != nil {
		return nil, fmt.Errorf("signalswatermill: listing dead letters: %w", err)
	}
	defer rows.Close()
	var out []outbox.DeadLetter
	for rows.Next() {
		var d outbox.DeadLetter
		var id, failed int64
		var payload string
		if err := rows.Scan(&id, &d.Receiver, &d.EventID, &d.Topic, &payload, &d.Error, &d.Attempts, &failed); err != nil {
			return nil, fmt.Errorf("signalswatermill: listing dead letters: %w", err)
		}
		d.ID, d.Payload, d.FailedAt = strconv.FormatInt(id, 10), []byte(payload), time.UnixMicro(failed).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// Replay implements outbox.DeadLetters: in one transaction, it publishes
// each dead letter again through the outbox, with a new message UUID (the
// broker would drop the old one as a duplicate) and the receiver's name in
// its metadata, so that only that receiver handles it; the envelope, and
// so the event ID and the idempotency key, are unchanged.
func (t *DeadLetterTable) Replay(ctx context.Context, ids ...string) (int, error) {
	tx, err := t.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("signalswatermill: Replay: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	n := 0
	for _, id := range ids {
		num, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("signalswatermill: Replay: %q is not a dead letter ID", id)
		}
		var receiver, topic, payload string
		err = tx.QueryRowContext(ctx, t.q(`SELECT receiver, topic, payload FROM `+DeadLetterTableName+
			` WHERE id = ? AND replayed_at IS NULL`), num).Scan(&receiver, &topic, &payload)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("signalswatermill: Replay: %w", err)
		}
		env, err := outbox.Decode([]byte(payload))
		if err != nil {
			return 0, fmt.Errorf("signalswatermill: Replay of dead letter %s: %w", id, err)
		}
		msg := Message(env, []byte(payload), outbox.NewID())
		msg.Metadata.Set(MetaReplayTo, receiver)
		if err := t.Outbox.publish(ctx, tx, t.Outbox.partition(env), []Routed{{Topic: topic, Msg: msg}}); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, t.q(`UPDATE `+DeadLetterTableName+` SET replayed_at = ? WHERE id = ?`), time.Now().UnixMicro(), num); err != nil {
			return 0, fmt.Errorf("signalswatermill: Replay: %w", err)
		}
		n++
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("signalswatermill: Replay: %w", err)
	}
	return n, nil
}
