package outboxgorm

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
)

// Once makes a durable receiver's database effects happen exactly once,
// despite redeliveries: in one transaction on db, it records the delivery's
// key (receiver, event ID, from ctx) in [ProcessedTable] and runs fn. When
// the key is already recorded, the event was handled before: fn is not
// called and Once returns applied=false. If fn fails, the transaction
// rolls back, the key is not recorded, and the redelivery tries again.
//
//	signalsgorm.DurablePostSave("stats.count", func(ctx context.Context, ev outbox.Event[Order]) error {
//		_, err := outboxgorm.Once(ctx, db, func(tx *gorm.DB) error {
//			return tx.Model(&Stats{}).Where("day = ?", day).Update("orders", gorm.Expr("orders + 1")).Error
//		})
//		return err
//	})
//
// Two concurrent deliveries of one event serialise on the key: the second
// waits for the first to commit, then skips. Effects outside the database
// (an e-mail, an HTTP call) cannot be made exactly-once this way; pass
// [outbox.Delivery.Key] to the other system as its idempotency key.
//
// Once works with any delivery, from the embedded [Outbox] or from a
// broker; the table must exist ([Outbox.Migrate] or [MigrateOnce]).
func Once(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) (applied bool, err error) {
	d, ok := outbox.FromContext(ctx)
	if !ok {
		return false, ErrNoDelivery
	}
	insert := outboxsql.InsertIgnore(db.Dialector.Name(), ProcessedTable, "receiver, event_id, processed_at", "?, ?, ?")
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(insert, d.Receiver, d.Envelope.ID, time.Now().UnixMicro())
		if res.Error != nil {
			return fmt.Errorf("outboxgorm: Once: recording %s: %w", d.Key(), res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		if err := fn(tx); err != nil {
			return err
		}
		applied = true
		return nil
	})
	return applied, err
}
