package outboxgorm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The leases of signals_outbox_leases keep one worker per receiver across
// processes. A lease row names its owner (an Outbox value) and when the
// claim expires, in the database's clock: a worker takes a receiver whose
// lease is its own or has expired, and renews it every LeaseTTL/3 while it
// delivers (the heartbeat), so that a handler of any length keeps it.

var (
	errLeaseLost   = errors.New("outboxgorm: the receiver's lease was taken by another worker")
	errLeaseUnsure = errors.New("outboxgorm: the receiver's lease could not be renewed before it would expire")
)

// acquire claims receiver name for this worker, or renews its claim, and
// reports whether the worker holds it.
func (o *Outbox) acquire(ctx context.Context, name string) (bool, error) {
	db := o.db.WithContext(ctx)
	ttl := o.cfg.LeaseTTL.Microseconds()
	res := db.Exec("UPDATE "+LeaseTable+" SET owner = ?, expires_at = "+o.now+" + ? WHERE receiver = ? AND (owner = ? OR expires_at < "+o.now+")",
		o.owner, ttl, name, o.owner)
	if res.Error != nil {
		return false, fmt.Errorf("outboxgorm: outbox lease of %s: %w", name, res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	insert := "INSERT INTO " + LeaseTable + " (receiver, owner, expires_at) VALUES (?, ?, " + o.now + " + ?)"
	switch o.dialect {
	case "mysql":
		insert = "INSERT IGNORE" + insert[len("INSERT"):]
	default:
		insert += " ON CONFLICT DO NOTHING"
	}
	res = db.Exec(insert, name, o.owner, ttl)
	if res.Error != nil {
		return false, fmt.Errorf("outboxgorm: outbox lease of %s: %w", name, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// renew extends this worker's lease of receiver name, and reports whether
// the worker still holds it.
func (o *Outbox) renew(ctx context.Context, name string) (bool, error) {
	res := o.db.WithContext(ctx).Exec("UPDATE "+LeaseTable+" SET expires_at = "+o.now+" + ? WHERE receiver = ? AND owner = ?",
		o.cfg.LeaseTTL.Microseconds(), name, o.owner)
	return res.RowsAffected == 1, res.Error
}

// release gives the lease of receiver name up, so that another process
// may take the receiver at once.
func (o *Outbox) release(ctx context.Context, name string) {
	_ = o.db.WithContext(ctx).Exec("UPDATE "+LeaseTable+" SET expires_at = 0 WHERE receiver = ? AND owner = ?", name, o.owner).Error
}

// heartbeat renews the lease of s's receiver every LeaseTTL/3 until stop
// is closed. When another worker has taken the lease, or no renewal has
// succeeded for two thirds of LeaseTTL (the lease may be about to expire),
// it cancels s.live: the handler running is cancelled and s delivers
// nothing more.
func (s *session) heartbeat(stop <-chan struct{}) {
	every := max(s.o.cfg.LeaseTTL/3, time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	lastOK := time.Now() // the lease was just taken
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), every)
		held, err := s.o.renew(ctx, s.name)
		cancel()
		switch {
		case err == nil && held:
			lastOK = start
		case err == nil:
			s.cancelLive(errLeaseLost)
			return
		case time.Since(lastOK) >= s.o.cfg.LeaseTTL*2/3:
			s.cancelLive(fmt.Errorf("%w: %w", errLeaseUnsure, err))
			return
		default:
			s.o.cfg.Logger.Warn("outboxgorm: renewing an outbox lease", "receiver", s.name, "error", err)
		}
	}
}
