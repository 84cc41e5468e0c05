package outboxgorm

import (
	"context"
	"fmt"
	"time"

	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
)

// lease claims receiver name for this worker, or renews its claim, and
// reports whether the worker holds it.
func (o *Outbox) lease(ctx context.Context, name string) (bool, error) {
	now := time.Now()
	db := o.db.WithContext(ctx)
	insert := outboxsql.InsertIgnore(o.dialect, LeaseTable, "receiver, owner, expires_at", "?, '', 0")
	if err := db.Exec(insert, name).Error; err != nil {
		return false, fmt.Errorf("outboxgorm: outbox lease of %s: %w", name, err)
	}
	if err := db.Exec("UPDATE "+LeaseTable+" SET owner = ?, expires_at = ? WHERE receiver = ? AND (owner = ? OR expires_at < ?)",
		o.owner, now.Add(o.cfg.LeaseTTL).UnixMicro(), name, o.owner, now.UnixMicro()).Error; err != nil {
		return false, fmt.Errorf("outboxgorm: outbox lease of %s: %w", name, err)
	}
	var owner string
	if err := db.Raw("SELECT owner FROM "+LeaseTable+" WHERE receiver = ?", name).Scan(&owner).Error; err != nil {
		return false, fmt.Errorf("outboxgorm: outbox lease of %s: %w", name, err)
	}
	return owner == o.owner, nil
}

// keepLease renews the lease of receiver name within a batch, and fails
// when another worker has taken it.
func (o *Outbox) keepLease(ctx context.Context, name string) error {
	held, err := o.lease(ctx, name)
	if err == nil && !held {
		err = fmt.Errorf("outboxgorm: outbox worker of %s lost its lease", name)
	}
	return err
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
