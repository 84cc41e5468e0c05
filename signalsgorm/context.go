package signalsgorm

import (
	"context"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/txpool"
)

// dbKey is the context key of the *gorm.DB a receiver's context carries.
type dbKey = txpool.DBKey

// withDB returns the context receivers get: the statement's context,
// carrying the statement's *gorm.DB and the transaction it runs in, which
// the statements issued with the context join.
func withDB(db *gorm.DB) context.Context {
	ctx := db.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return txpool.NewContext(ctx, db)
}

// DB returns, inside a receiver of a signal sent by the plugin, a *gorm.DB
// on the connection and transaction of the statement that sent it.
// Outside a receiver it returns fallback (which may be nil) with ctx.
//
// DB is not needed to write in the statement's transaction: every
// statement issued with a receiver's context joins it, whichever *gorm.DB
// of the database issues it, so db.WithContext(ctx) does. DB remains for
// code that has no *gorm.DB at hand (DB(ctx, nil)), and for a transaction
// the plugin does not track (begun in db.Connection), which statements
// cannot join.
func DB(ctx context.Context, fallback *gorm.DB) *gorm.DB {
	if db, ok := ctx.Value(dbKey{}).(*gorm.DB); ok {
		return db.Session(&gorm.Session{NewDB: true, Context: ctx})
	}
	if fallback == nil {
		return nil
	}
	return fallback.WithContext(ctx)
}

// NewContext returns a copy of ctx carrying tx, as the contexts receivers
// get do: for signals your own code sends inside a transaction, so that
// their receivers' statements join it, and [DB], [OnCommitContext] and
// [AfterCommit] find it.
//
//	err := db.Transaction(func(tx *gorm.DB) error {
//		...
//		return OrderPaid.Send(signalsgorm.NewContext(ctx, tx), nil, ev)
//	})
func NewContext(ctx context.Context, tx *gorm.DB) context.Context {
	return txpool.NewContext(ctx, tx)
}

// Detached returns a copy of ctx, with its values, deadline and
// cancellation, whose statements do not join the transaction of the
// statement whose receiver got ctx: they run on a connection of their own
// and commit on their own (in the transaction GORM opens for a write, or
// in db.Transaction), whatever becomes of that transaction. It is for the
// work that must outlive a rollback, such as recording a refused change:
//
//	modelsignals.OnPreSave(func(ctx context.Context, ev modelsignals.Save[Payment]) error {
//		if ev.Instance.Amount > limit {
//			db.WithContext(signalsgorm.Detached(ctx)).Create(&Refusal{PaymentID: ev.Instance.ID})
//			return ErrOverLimit // the payment rolls back; the refusal stays
//		}
//		return nil
//	})
//
// The detached context carries no *gorm.DB: [DB] returns its fallback,
// [OnCommitContext] returns [ErrNoDB]. Receivers of the statements issued
// with it get contexts of their own, which join those statements'
// transactions.
//
// A detached statement runs on another connection, which waits for the
// locks the statement's transaction holds: a detached write to a row that
// transaction wrote waits for its end, which waits for the receiver, so
// it fails after the database's lock timeout. SQLite has one writer at a
// time: there a detached write succeeds only while the transaction has
// not written yet (in the pre_save receivers of its first write).
func Detached(ctx context.Context) context.Context {
	return txpool.Detach(ctx)
}
