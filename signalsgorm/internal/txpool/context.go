package txpool

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"
)

// DBKey is the context key under which a context made by [NewContext]
// answers its *gorm.DB.
type DBKey struct{}

// joinKey is the key under which such a context answers itself.
type joinKey struct{}

// stmtContext is the context of a statement's receivers: it carries the
// statement's *gorm.DB and the transaction the statement ran in when the
// context was made, which the statements issued with it join (see
// [Pool.Joined]). The innermost stmtContext of a chain of contexts
// decides, so a [Detach] inside a receiver's context stops joining, and
// a receiver's context inside a detached one joins again.
type stmtContext struct {
	context.Context
	db *gorm.DB // nil for Detach
	tx *Tx      // the transaction to join; nil: none
}

// Value answers DBKey and joinKey and hands every other key to the parent.
func (c *stmtContext) Value(key any) any {
	switch key.(type) {
	case DBKey:
		if c.db == nil {
			return nil // not a typed nil: ctx.Value(DBKey{}).(*gorm.DB) must fail
		}
		return c.db
	case joinKey:
		return c
	}
	return c.Context.Value(key)
}

func (c *stmtContext) String() string {
	if c.db == nil {
		return fmt.Sprint(c.Context) + ".Detached"
	}
	return fmt.Sprint(c.Context) + ".WithStatement"
}

// NewContext returns a copy of ctx that carries db, and the transaction
// db's statement runs in now, if a Pool tracks it: the statements issued
// with the context on that Pool join that transaction.
func NewContext(ctx context.Context, db *gorm.DB) context.Context {
	t, _ := Of(db)
	return &stmtContext{Context: ctx, db: db, tx: t}
}

// Detach returns a copy of ctx that carries no *gorm.DB and whose
// statements join no transaction.
func Detach(ctx context.Context) context.Context {
	return &stmtContext{Context: ctx}
}

// Joined returns the transaction of p that the statements issued with ctx
// run in: the one a context of [NewContext] carries. It returns nil when
// ctx carries none of p's; when the one it carries has ended, it returns
// it with an [*EndedError].
func (p *Pool) Joined(ctx context.Context) (*Tx, error) {
	c, ok := ctx.Value(joinKey{}).(*stmtContext)
	if !ok || c.tx == nil || c.tx.pool != p {
		return nil, nil
	}
	if st := c.tx.State(); st != Open {
		return c.tx, &EndedError{TxID: c.tx.id, State: st}
	}
	return c.tx, nil
}

// EndedError is the error of a statement issued with the context of a
// transaction that has ended: typically a receiver's context kept by a
// goroutine after the statement finished. Nothing is run, so that no write
// lands outside the transaction it was meant for.
type EndedError struct {
	TxID  uint64
	State State // Committed or RolledBack
}

func (e *EndedError) Error() string {
	return fmt.Sprintf("signalsgorm: the context's transaction %d has %s: a statement issued with a receiver's context runs "+
		"in the receiver's transaction, which is over; use signalsgorm.Detached(ctx) for work that outlives it: %v",
		e.TxID, e.State, sql.ErrTxDone)
}

// Unwrap returns sql.ErrTxDone.
func (e *EndedError) Unwrap() error { return sql.ErrTxDone }
