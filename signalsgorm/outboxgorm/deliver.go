package outboxgorm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
)

// row is a pending row of the outbox, as a worker reads it: its envelope,
// or why it could not be decoded.
type row struct {
	id       int64
	env      *outbox.Envelope
	bad      error
	attempts int
}

// pending reads up to cfg.Batch pending rows of the session's receiver,
// in id order, and decodes their envelopes as it reads them (the payloads
// are read into one reused buffer, which Decode copies once).
func (s *session) pending() ([]row, error) {
	st, err := s.o.prepared(s.ctx, "SELECT id, payload, attempts FROM "+Table+
		" WHERE receiver = ? AND status = '"+outboxsql.StatusPending+"' ORDER BY id LIMIT ?")
	if err != nil {
		return nil, err
	}
	rs, err := st.QueryContext(s.ctx, s.name, s.o.cfg.Batch)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	clear(s.rows) // the last batch's envelopes are garbage now
	rows := s.rows[:0]
	var payload sql.RawBytes
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.id, &payload, &r.attempts); err != nil {
			return nil, err
		}
		r.env, r.bad = outbox.Decode(payload)
		rows = append(rows, r)
	}
	s.rows = rows
	return rows, rs.Err()
}

// batch delivers a batch of pending rows, in order, and reports whether
// there may be more. It stops early, without an error, when the session
// must stop (Run's context done, the lease lost).
func (s *session) batch() (int, bool, error) {
	rows, err := s.pending()
	if err != nil || len(rows) == 0 {
		return 0, false, err
	}
	n := 0
	for _, r := range rows {
		if s.stopped() != nil {
			return n, false, nil
		}
		ok, stop, err := s.deliver(r)
		if ok {
			n++
			if err := s.ack(r.id); err != nil {
				return n, false, err
			}
		}
		if err != nil || stop {
			return n, false, err
		}
	}
	return n, len(rows) == s.o.cfg.Batch, s.flushAcks(s.ctx)
}

// ack records a delivery, and marks the deliveries recorded delivered
// when there are a batch of them or the oldest has waited ackInterval.
func (s *session) ack(id int64) error {
	if len(s.acks) == 0 {
		s.firstAck = time.Now()
	}
	s.acks = append(s.acks, id)
	if len(s.acks) >= s.o.cfg.Batch || time.Since(s.firstAck) >= ackInterval {
		return s.flushAcks(s.ctx)
	}
	return nil
}

// flushAcks marks the recorded deliveries delivered. It does so even when
// ctx is cancelled (the handlers did run), within a bounded time.
func (s *session) flushAcks(ctx context.Context) error {
	if len(s.acks) == 0 {
		return nil
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	if err := s.o.markDelivered(ctx, s.acks); err != nil {
		return fmt.Errorf("outboxgorm: marking %d outbox rows of %s delivered: %w", len(s.acks), s.name, err)
	}
	s.acks = s.acks[:0]
	return nil
}

// deliver delivers one row, retrying it with backoff; it reports whether
// the handler succeeded, and whether the session must stop (the delivery
// was abandoned, or Run's context is done). A row that fails MaxAttempts
// times, or fails permanently, is moved to the dead letters.
func (s *session) deliver(r row) (ok, stop bool, err error) {
	if r.bad != nil {
		return false, false, s.o.bury(s.ctx, r.id, r.attempts, r.bad)
	}
	env := r.env
	for attempt := r.attempts + 1; ; attempt++ {
		d := &outbox.Delivery{Envelope: env, Receiver: s.name, Attempt: attempt}
		herr, abandoned := s.call(d)
		switch {
		case abandoned:
			return false, true, nil
		case herr == nil:
			return true, false, nil
		case errors.Is(herr, outbox.ErrUnknownReceiver):
			return false, true, herr // not ours to judge: leave the row pending
		}
		final := attempt >= s.o.cfg.MaxAttempts || outbox.IsPermanent(herr)
		s.o.logFailure(s.ctx, d, final, herr)
		if final {
			return false, false, s.o.bury(s.ctx, r.id, attempt, herr)
		}
		if err := s.retryLater(r.id, attempt, herr); err != nil {
			return false, true, err
		}
		if s.stopped() != nil {
			return false, true, nil
		}
	}
}

func (o *Outbox) logFailure(ctx context.Context, d *outbox.Delivery, final bool, err error) {
	level := slog.LevelWarn
	if final {
		level = slog.LevelError
	}
	o.cfg.Logger.LogAttrs(ctx, level, "outboxgorm: durable receiver failed", slog.String("receiver", d.Receiver),
		slog.String("event", d.Envelope.ID), slog.Int("attempt", d.Attempt), slog.Bool("dead", final), slog.Any("error", err))
}

// retryLater records a failed attempt of row id, marks the deliveries
// made so far, and waits for the backoff (the heartbeat keeps the lease).
func (s *session) retryLater(id int64, attempt int, cause error) error {
	ctx, cancel := bounded(s.ctx)
	defer cancel()
	if err := s.o.db.WithContext(ctx).Exec(
		"UPDATE "+Table+" SET attempts = ?, last_error = ? WHERE id = ?", attempt, cause.Error(), id).Error; err != nil {
		return err
	}
	if err := s.flushAcks(s.ctx); err != nil {
		return err
	}
	t := time.NewTimer(s.o.backoff(attempt))
	defer t.Stop()
	select {
	case <-s.ctx.Done():
	case <-s.live.Done():
	case <-t.C:
	}
	return nil
}

// bury moves a row to the dead letters.
func (o *Outbox) bury(ctx context.Context, id int64, attempts int, cause error) error {
	ctx, cancel := bounded(ctx)
	defer cancel()
	err := o.db.WithContext(ctx).Exec(
		"UPDATE "+Table+" SET status = ?, attempts = ?, last_error = ?, done_at = "+o.now+" WHERE id = ?",
		outboxsql.StatusDead, attempts, cause.Error(), id).Error
	if err != nil {
		return fmt.Errorf("outboxgorm: moving outbox row %d to the dead letters: %w", id, err)
	}
	return nil
}

func (o *Outbox) backoff(attempt int) time.Duration {
	d := o.cfg.Backoff
	for i := 1; i < attempt && d < o.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.cfg.MaxBackoff)
}

// bounded returns a context for a statement that records what handlers
// did: not cancelled with ctx, but bounded in time, to a second once ctx
// is done (Run is stopping).
func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	d := 10 * time.Second
	if ctx.Err() != nil {
		d = time.Second
	}
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}
