package signalsgorm

import (
	"context"

	"gorm.io/gorm"
)

type dbKey struct{}

// withDB returns the context receivers get: the statement's context,
// carrying the statement's *gorm.DB for [DB].
func withDB(db *gorm.DB) context.Context {
	ctx := db.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, dbKey{}, db)
}

// DB returns, inside a receiver of a signal sent by the plugin, a *gorm.DB
// on the connection and transaction of the statement that sent it, so that
// what the receiver writes commits or rolls back with it (Django's
// receivers share the caller's connection the same way). Outside a
// receiver it returns fallback (which may be nil) with ctx.
//
//	modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
//		return signalsgorm.DB(ctx, db).Create(&Notification{...}).Error
//	})
//
// Writing through another *gorm.DB inside a receiver uses another
// connection: it does not see uncommitted rows, and on SQLite it waits for
// the write lock the statement holds.
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
// their receivers find it with [DB], [OnCommitContext] and [AfterCommit].
//
//	err := db.Transaction(func(tx *gorm.DB) error {
//		...
//		return OrderPaid.Send(signalsgorm.NewContext(ctx, tx), nil, ev)
//	})
func NewContext(ctx context.Context, tx *gorm.DB) context.Context {
	return context.WithValue(ctx, dbKey{}, tx)
}
