package txpool

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

	"gorm.io/gorm"
)

// Nested is the transaction a Pool begins for a context whose statements
// join an open [Tx] (see [Pool.Joined]): a savepoint of that transaction,
// as Django's atomic blocks nest. Its statements run in the outer
// transaction; Commit releases the savepoint; Rollback rolls back to it,
// which drops the items queued since, and releases it. [Of] returns the
// outer Tx, so that items queue on the outermost transaction.
type Nested struct {
	gorm.Tx // the outer transaction's driver transaction
	outer   *Tx
	name    string
	done    bool
}

var savepointIDs atomic.Uint64

// nest sets a savepoint in t and returns the Nested transaction that ends
// it. Options that a savepoint cannot honour are refused.
func (t *Tx) nest(ctx context.Context, opts *sql.TxOptions) (*Nested, error) {
	if opts != nil && (opts.Isolation != sql.LevelDefault || opts.ReadOnly) {
		return nil, fmt.Errorf("signalsgorm: a transaction begun with the context of transaction %d is a savepoint of it "+
			"and cannot have its own isolation level or be read-only (%+v); use signalsgorm.Detached(ctx) for a transaction of its own",
			t.id, *opts)
	}
	n := &Nested{Tx: t.Tx, outer: t, name: fmt.Sprintf("signals_sp%d", savepointIDs.Add(1))}
	if _, err := t.Tx.ExecContext(ctx, "SAVEPOINT "+n.name); err != nil {
		return nil, err
	}
	t.Savepoint(Set, n.name)
	return n, nil
}

// Commit releases the savepoint: what was done since stays in the outer
// transaction, to commit or roll back with it.
func (n *Nested) Commit() error {
	if n.done {
		return sql.ErrTxDone
	}
	if _, err := n.Tx.ExecContext(context.Background(), "RELEASE SAVEPOINT "+n.name); err != nil {
		return err // still open: GORM's Transaction rolls back after a failed commit
	}
	n.done = true
	n.outer.Savepoint(Release, n.name)
	return nil
}

// Rollback rolls back to the savepoint, undoing what was done since and
// dropping the items queued since, then releases it, as Django's atomic
// does with a savepoint it will not reuse.
func (n *Nested) Rollback() error {
	if n.done {
		return sql.ErrTxDone
	}
	n.done = true
	if _, err := n.Tx.ExecContext(context.Background(), "ROLLBACK TO SAVEPOINT "+n.name); err != nil {
		return err
	}
	n.outer.Savepoint(RollbackTo, n.name)
	if _, err := n.Tx.ExecContext(context.Background(), "RELEASE SAVEPOINT "+n.name); err != nil {
		return err
	}
	n.outer.Savepoint(Release, n.name)
	return nil
}

// GetDBConn implements gorm.GetDBConnector.
func (n *Nested) GetDBConn() (*sql.DB, error) { return n.outer.GetDBConn() }
