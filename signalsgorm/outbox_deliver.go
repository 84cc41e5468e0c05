package signalsgorm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gosignals/signals/outbox"
)

type outboxRow struct {
	ID       int64
	EventID  string
	Payload  string
	Attempts int
}

// batch delivers up to cfg.Batch pending rows of receiver name, in order,
// and reports how many it delivered and whether there may be more.
func (o *Outbox) batch(ctx context.Context, name string) (int, bool, error) {
	var rows []outboxRow
	err := o.db.WithContext(ctx).Raw(
		"SELECT id, event_id, payload, attempts FROM "+OutboxTable+" WHERE receiver = ? AND status = ? ORDER BY id LIMIT ?",
		name, statusPending, o.cfg.Batch).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return 0, false, err
	}
	done := make([]int64, 0, len(rows))
	flush := func() error {
		if len(done) == 0 {
			return nil
		}
		err := o.db.WithContext(context.WithoutCancel(ctx)).Exec(
			"UPDATE "+OutboxTable+" SET status = ?, done_at = ? WHERE id IN ?",
			statusDelivered, time.Now().UnixMicro(), done).Error
		done = done[:0]
		return err
	}
	delivered := 0
	renewed := time.Now() // the caller has just taken or renewed the lease
	for _, r := range rows {
		// Keep the lease through a long batch: without it another process
		// would take over and deliver the same rows concurrently.
		if time.Since(renewed) > o.cfg.LeaseTTL/3 {
			held, err := o.lease(ctx, name)
			if err == nil && !held {
				err = fmt.Errorf("signalsgorm: outbox worker of %s lost its lease", name)
			}
			if err != nil {
				return delivered, false, errors.Join(err, flush())
			}
			renewed = time.Now()
		}
		ok, err := o.deliver(ctx, name, r)
		if ok {
			done = append(done, r.ID)
			delivered++
		}
		if err != nil { // ctx cancelled while retrying, or the database failed
			if ferr := flush(); ferr != nil {
				return delivered, false, ferr
			}
			return delivered, false, err
		}
	}
	return delivered, len(rows) == o.cfg.Batch, flush()
}

// deliver delivers one row, retrying it with backoff; it reports whether
// the handler succeeded. A row that fails MaxAttempts times, or fails
// permanently, is moved to the dead letters.
func (o *Outbox) deliver(ctx context.Context, name string, r outboxRow) (bool, error) {
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
		level := slog.LevelWarn
		if final {
			level = slog.LevelError
		}
		o.cfg.Logger.LogAttrs(ctx, level, "signalsgorm: durable receiver failed", slog.String("receiver", name),
			slog.String("event", env.ID), slog.Int("attempt", attempt), slog.Bool("dead", final), slog.Any("error", herr))
		if final {
			return false, o.bury(ctx, r.ID, attempt, herr)
		}
		if err := o.db.WithContext(context.WithoutCancel(ctx)).Exec(
			"UPDATE "+OutboxTable+" SET attempts = ?, last_error = ? WHERE id = ?", attempt, herr.Error(), r.ID).Error; err != nil {
			return false, err
		}
		if err := sleep(ctx, o.backoff(attempt)); err != nil {
			return false, err
		}
		if held, err := o.lease(ctx, name); err != nil || !held {
			return false, errors.Join(fmt.Errorf("signalsgorm: outbox worker of %s lost its lease while retrying", name), err)
		}
	}
}

// bury moves a row to the dead letters.
func (o *Outbox) bury(ctx context.Context, id int64, attempts int, cause error) error {
	err := o.db.WithContext(context.WithoutCancel(ctx)).Exec(
		"UPDATE "+OutboxTable+" SET status = ?, attempts = ?, last_error = ?, done_at = ? WHERE id = ?",
		statusDead, attempts, cause.Error(), time.Now().UnixMicro(), id).Error
	if err != nil {
		return fmt.Errorf("signalsgorm: moving outbox row %d to the dead letters: %w", id, err)
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

// lease claims receiver name for this worker, or renews its claim, and
// reports whether the worker holds it.
func (o *Outbox) lease(ctx context.Context, name string) (bool, error) {
	now := time.Now()
	db := o.db.WithContext(ctx)
	insert := "INSERT INTO " + LeaseTable + " (receiver, owner, expires_at) VALUES (?, '', 0) ON CONFLICT DO NOTHING"
	if o.dialect == "mysql" {
		insert = "INSERT IGNORE INTO " + LeaseTable + " (receiver, owner, expires_at) VALUES (?, '', 0)"
	}
	if err := db.Exec(insert, name).Error; err != nil {
		return false, fmt.Errorf("signalsgorm: outbox lease of %s: %w", name, err)
	}
	if err := db.Exec("UPDATE "+LeaseTable+" SET owner = ?, expires_at = ? WHERE receiver = ? AND (owner = ? OR expires_at < ?)",
		o.owner, now.Add(o.cfg.LeaseTTL).UnixMicro(), name, o.owner, now.UnixMicro()).Error; err != nil {
		return false, fmt.Errorf("signalsgorm: outbox lease of %s: %w", name, err)
	}
	var owner string
	if err := db.Raw("SELECT owner FROM "+LeaseTable+" WHERE receiver = ?", name).Scan(&owner).Error; err != nil {
		return false, fmt.Errorf("signalsgorm: outbox lease of %s: %w", name, err)
	}
	return owner == o.owner, nil
}

func (o *Outbox) release(ctx context.Context, name string) {
	_ = o.db.WithContext(context.WithoutCancel(ctx)).Exec(
		"UPDATE "+LeaseTable+" SET expires_at = 0 WHERE receiver = ? AND owner = ?", name, o.owner).Error
}

func (o *Outbox) releaseAll(names []string) {
	for _, n := range names {
		o.release(context.Background(), n)
	}
}
