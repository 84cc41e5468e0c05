package signalsgorm

import (
	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/txpool"
)

// txConn is one database transaction as the plugin sees it (see package
// txpool): GORM holds it as the statement's ConnPool for the whole
// transaction, nested Transaction calls included, so it is the identity of
// the outermost transaction. Its queue holds the on-commit callbacks,
// which the plugin runs after the outermost commit (runCommitted).
type txConn = txpool.Tx

// transactionOf returns the transaction db's statement runs in. inTx is true
// for any open transaction; t is nil when it is not one the plugin tracks
// (begun on a *sql.Conn of db.Connection, or on a connection pool installed
// after the plugin).
func transactionOf(db *gorm.DB) (t *txConn, inTx bool) {
	return txpool.Of(db)
}

// TxID returns the ID of the transaction db's statement runs in, and
// whether it runs in one the plugin tracks. IDs are unique within the
// process; every nested db.Transaction of one transaction has the same ID.
// Use it to correlate logs, or to tell whether code runs in a transaction.
func TxID(db *gorm.DB) (id uint64, ok bool) {
	if t, _ := transactionOf(db); t != nil {
		return t.ID(), true
	}
	return 0, false
}

// callbacks returns the on-commit callbacks of a transaction's queue.
func callbacks(items []txpool.Item) []*callback {
	cbs := make([]*callback, len(items))
	for i, it := range items {
		cbs[i] = it.(*callback)
	}
	return cbs
}
