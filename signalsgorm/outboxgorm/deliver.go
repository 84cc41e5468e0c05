package outboxgorm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
)

// row is a pending row of the outbox, as a worker reads it.
type row struct {
	ID       int64
	EventID  string
	Payload  string
	Attempts int
}

// batch delivers up to cfg.Batch pending rows of receiver name, in order,
// and reports how many it delivered and whether there may be more.
func (o *Outbox) batch(ctx context.Context, name string) (int, bool, error) {
	var rows []row
	err := o.db.WithContext(ctx).Raw(
		"SELECT id, event_id, payload, attempts FROM "+Table+" WHERE receiver = ? AND status = ? ORDER BY id LIMIT ?",
		name, outboxsql.StatusPending, o.cfg.Batch).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return 0, false, err
	}
	done := make([]int64, 0, len(rows))
	renewed := time.Now() // the caller has just taken or renewed the lease
	for _, r := range rows {
		// Keep the lease through a long batch: without it another process
		// would take over and deliver the same rows concurrently.
		if time.Since(renewed) > o.cfg.LeaseTTL/3 {
			if err := o.keepLease(ctx, name); err != nil {
				return len(done), false, errors.Join(err, o.markDelivered(ctx, done))
			}
			renewed = time.Now()
		}
		ok, err := o.deliver(ctx, name, r)
		if ok {
			done = append(done, r.ID)
		}
		if err != nil { // ctx cancelled while retrying, or the database failed
			if ferr := o.markDelivered(ctx, done); ferr != nil {
				return len(done), false, ferr
			}
			return len(done), false, err
		}
	}
	return len(done), len(rows) == o.cfg.Batch, o.markDelivered(ctx, done)
}

// markDelivered marks the rows ids delivered, even when ctx is cancelled.
func (o *Outbox) markDelivered(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return o.db.WithContext(context.WithoutCancel(ctx)).Exec(
		"UPDATE "+Table+" SET status = ?, done_at = ? WHERE id IN ?",
		outboxsql.StatusDelivered, time.Now().UnixMicro(), ids).Error
}

// deliver delivers one row, retrying it with backoff; it reports whether
// the handler succeeded. A row that fails MaxAttempts times, or fails
// permanently, is moved to the dead letters.
func (o *Outbox) deliver(ctx context.Context, name string, r row) (bool, error) {
	env, err := outbox.Decode([]byte(r.Payload))
	if err != nil {
		return false, o.bury(ctx, r.ID, r.Attempts, err)
	}
	for attempt := r.Attempts + 1; ; attempt++ {
		d := &outbox.Delivery{Envelope: env, Receiver: name, Attempt: attempt}
		herr := o.cfg.Registry.Deliver(ctx, d)
		if herr == nil {
			return true, nil
		}
		if errors.Is(herr, outbox.ErrUnknownReceiver) {
			return false, herr // not ours to judge: leave the row pending
		}
		final := attempt >= o.cfg.MaxAttempts || outbox.IsPermanent(herr)
		o.logFailure(ctx, d, final, herr)
		if final {
			return false, o.bury(ctx, r.ID, attempt, herr)
		}
		if err := o.retryLater(ctx, name, r.ID, attempt, herr); err != nil {
			return false, err
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

// retryLater records a failed attempt of row id, waits for the backoff
// and renews the lease before the next attempt.
func (o *Outbox) retryLater(ctx context.Context, name string, id int64, attempt int, cause error) error {
	if err := o.db.WithContext(context.WithoutCancel(ctx)).Exec(
		"UPDATE "+Table+" SET attempts = ?, last_error = ? WHERE id = ?", attempt, cause.Error(), id).Error; err != nil {
		return err
	}
	if err := sleep(ctx, o.backoff(attempt)); err != nil {
		return err
	}
	if held, err := o.lease(ctx, name); err != nil || !held {
		return errors.Join(fmt.Errorf("outboxgorm: outbox worker of %s lost its lease while retrying", name), err)
	}
	return nil
}

// bury moves a row to the dead letters.
func (o *Outbox) bury(ctx context.Context, id int64, attempts int, cause error) error {
	err := o.db.WithContext(context.WithoutCancel(ctx)).Exec(
		"UPDATE "+Table+" SET status = ?, attempts = ?, last_error = ?, done_at = ? WHERE id = ?",
		outboxsql.StatusDead, attempts, cause.Error(), time.Now().UnixMicro(), id).Error
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

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
