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

// joinTx, first in every chain, makes a statement issued with a
// receiver's context (or one of NewContext) run in the transaction the
// context carries, as Django's receivers share the sender's connection:
// when the statement would run on the plugin's pool, bare or under GORM's
// prepared statements, and the context carries an open transaction of
// that pool, the statement's ConnPool becomes that transaction. GORM's
// gorm:begin_transaction then finds it in a transaction and begins none,
// as for a statement inside db.Transaction. A statement issued with the
// context of a transaction that has ended fails (see [txpool.EndedError]).
// Without a receiver's context the cost is a comparison and one
// ctx.Value.
func (p *Plugin) joinTx(db *gorm.DB) { p.join(db, false) }

// joinRow is joinTx for the row chain: db.Row() cannot return an error
// of its own, so with the context of a transaction that has ended it runs
// on that transaction, and the *sql.Row reports sql.ErrTxDone.
func (p *Plugin) joinRow(db *gorm.DB) { p.join(db, true) }

func (p *Plugin) join(db *gorm.DB, row bool) {
	stmt := db.Statement
	ps, ok := p.onPool(stmt.ConnPool)
	if !ok || stmt.Context == nil || db.Error != nil {
		return
	}
	t, err := p.pool.Joined(stmt.Context)
	switch {
	case t == nil:
	case err != nil && row && !rows(db):
		stmt.ConnPool = t // not under prepared statements, which lose the error
	case err != nil:
		db.AddError(err)
	case ps != nil:
		stmt.ConnPool = &gorm.PreparedStmtTX{Tx: t, PreparedStmtDB: ps}
	default:
		stmt.ConnPool = t
	}
}

// rows reports whether a statement of the row chain is db.Rows().
func rows(db *gorm.DB) bool {
	v, _ := db.Get("rows")
	return v == true
}

// onPool reports whether cp is the plugin's pool, bare or under GORM's
// prepared statements, and returns the latter (that of the configuration,
// or of a Session with PrepareStmt).
func (p *Plugin) onPool(cp gorm.ConnPool) (ps *gorm.PreparedStmtDB, ok bool) {
	if p.pool == nil {
		return nil, false
	}
	if cp == gorm.ConnPool(p.pool) {
		return nil, true
	}
	ps, _ = cp.(*gorm.PreparedStmtDB)
	if ps == nil {
		return nil, false
	}
	inner := ps.ConnPool
	for {
		q, ok := inner.(*gorm.PreparedStmtDB)
		if !ok || q == nil {
			break
		}
		inner = q.ConnPool
	}
	return ps, inner == gorm.ConnPool(p.pool)
}
