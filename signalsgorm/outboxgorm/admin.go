package outboxgorm

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
)

// DeadLetters returns up to limit dead letters of receiver ("" for every
// receiver), oldest first: the events a receiver failed MaxAttempts times
// (or once, permanently). It implements outbox.DeadLetters.
func (o *Outbox) DeadLetters(ctx context.Context, receiver string, limit int) ([]outbox.DeadLetter, error) {
	if limit <= 0 {
		limit = 100
	}
	q := o.db.WithContext(ctx).Table(Table).
		Select("id, event_id, receiver, topic, payload, attempts, last_error, done_at").
		Where("status = ?", outboxsql.StatusDead)
	if receiver != "" {
		q = q.Where("receiver = ?", receiver)
	}
	var rows []struct {
		ID        int64
		EventID   string
		Receiver  string
		Topic     string
		Payload   string
		Attempts  int
		LastError *string
		DoneAt    *int64
	}
	if err := q.Order("id").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("outboxgorm: DeadLetters: %w", err)
	}
	out := make([]outbox.DeadLetter, len(rows))
	for i, r := range rows {
		out[i] = outbox.DeadLetter{ID: strconv.FormatInt(r.ID, 10), Receiver: r.Receiver, EventID: r.EventID,
			Topic: r.Topic, Payload: []byte(r.Payload), Attempts: r.Attempts}
		if r.LastError != nil {
			out[i].Error = *r.LastError
		}
		if r.DoneAt != nil {
			out[i].FailedAt = time.UnixMicro(*r.DoneAt).UTC()
		}
	}
	return out, nil
}

// Replay makes the dead letters with the given IDs pending again, with
// their attempts reset, and wakes the workers; it returns how many it
// requeued. A replayed event keeps its place in the receiver's order: it
// is delivered before the events written after it that are still
// pending, and after those already delivered. It implements
// outbox.DeadLetters.
func (o *Outbox) Replay(ctx context.Context, ids ...string) (int, error) {
	nums := make([]int64, 0, len(ids))
	for _, id := range ids {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("outboxgorm: Replay: %q is not a dead letter ID of the embedded outbox (IDs come from DeadLetters)", id)
		}
		nums = append(nums, n)
	}
	if len(nums) == 0 {
		return 0, nil
	}
	res := o.db.WithContext(ctx).Exec("UPDATE "+Table+" SET status = ?, attempts = 0, done_at = NULL WHERE status = ? AND id IN ?",
		outboxsql.StatusPending, outboxsql.StatusDead, nums)
	if res.Error != nil {
		return 0, fmt.Errorf("outboxgorm: Replay: %w", res.Error)
	}
	notify(o.wake)
	return int(res.RowsAffected), nil
}

// Purge deletes the rows delivered more than age ago (by the database's
// clock) and returns how many it deleted. Pending rows and dead letters
// are kept.
func (o *Outbox) Purge(ctx context.Context, age time.Duration) (int64, error) {
	res := o.db.WithContext(ctx).Exec("DELETE FROM "+Table+" WHERE status = ? AND done_at < "+o.now+" - ?",
		outboxsql.StatusDelivered, age.Microseconds())
	if res.Error != nil {
		return 0, fmt.Errorf("outboxgorm: Purge: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Stats returns the backlog of each receiver that has rows in the outbox:
// pending, dead and retained delivered events, and the lag (the age of the
// oldest pending event, by the database's clock), sorted by receiver.
func (o *Outbox) Stats(ctx context.Context) ([]outbox.Stats, error) {
	var rows []struct {
		Receiver string
		Status   string
		N        int64
		Age      int64
	}
	err := o.db.WithContext(ctx).Raw("SELECT receiver, status, COUNT(*) AS n, " + o.now + " - MIN(created_at) AS age FROM " + Table +
		" GROUP BY receiver, status ORDER BY receiver").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("outboxgorm: Stats: %w", err)
	}
	var out []outbox.Stats
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].Receiver != r.Receiver {
			out = append(out, outbox.Stats{Receiver: r.Receiver})
		}
		s := &out[len(out)-1]
		switch r.Status {
		case outboxsql.StatusPending:
			s.Pending = r.N
			s.Lag = max(time.Duration(r.Age)*time.Microsecond, 0)
		case outboxsql.StatusDelivered:
			s.Delivered = r.N
		case outboxsql.StatusDead:
			s.Dead = r.N
		}
	}
	if err := o.lastErrors(ctx, out); err != nil {
		return nil, fmt.Errorf("outboxgorm: Stats: %w", err)
	}
	return out, nil
}

// lastErrors sets the Attempts and LastError of the receivers' stats: those
// of the pending event each retries, or else the error of its latest dead
// letter.
func (o *Outbox) lastErrors(ctx context.Context, stats []outbox.Stats) error {
	var retrying []struct {
		Receiver  string
		Attempts  int
		LastError *string
	}
	err := o.db.WithContext(ctx).Raw("SELECT receiver, attempts, last_error FROM " + Table +
		" WHERE status = '" + outboxsql.StatusPending + "' AND attempts > 0 ORDER BY id").Scan(&retrying).Error
	if err != nil {
		return err
	}
	for i := range stats {
		s := &stats[i]
		for _, r := range retrying {
			if r.Receiver == s.Receiver && s.Attempts == 0 {
				s.Attempts = r.Attempts
				if r.LastError != nil {
					s.LastError = *r.LastError
				}
			}
		}
		if s.LastError != "" || s.Dead == 0 {
			continue
		}
		var last *string
		if err := o.db.WithContext(ctx).Raw("SELECT last_error FROM "+Table+" WHERE receiver = ? AND status = '"+outboxsql.StatusDead+
			"' ORDER BY id DESC LIMIT 1", s.Receiver).Scan(&last).Error; err != nil {
			return err
		}
		if last != nil {
			s.LastError = *last
		}
	}
	return nil
}

var _ outbox.DeadLetters = (*Outbox)(nil)
