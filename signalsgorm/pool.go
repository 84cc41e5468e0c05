package signalsgorm

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

// pool wraps the connection pool of a *gorm.DB so that the transactions it
// begins are *txConn. It implements gorm.ConnPoolBeginner, and not
// gorm.TxBeginner, so that GORM (and its PreparedStmtDB) keep the
// transaction it returns; and gorm.GetDBConnector, so that db.DB() keeps
// returning the *sql.DB.
type pool struct {
	gorm.ConnPool // what the dialector opened: a *sql.DB, or the dialector's Conn
	plugin        *Plugin
}

// installTx puts the plugin's pool between GORM and the connection pool.
// With PrepareStmt, GORM's *gorm.PreparedStmtDB stays outermost and the
// pool goes inside it, so its PreparedStmtTX wraps the plugin's
// transaction.
func (p *Plugin) installTx(db *gorm.DB) error {
	switch cp := db.ConnPool.(type) {
	case *pool:
		p.pool = cp
	case *gorm.PreparedStmtDB:
		if c, ok := cp.ConnPool.(*pool); ok {
			p.pool = c
		} else if beginner(cp.ConnPool) {
			p.pool = &pool{ConnPool: cp.ConnPool, plugin: p}
			cp.ConnPool = p.pool
		}
	default:
		if beginner(cp) {
			p.pool = &pool{ConnPool: cp, plugin: p}
			if db.Statement.ConnPool == db.ConnPool {
				db.Statement.ConnPool = p.pool
			}
			db.ConnPool = p.pool
		}
	}
	return nil
}

func beginner(cp gorm.ConnPool) bool {
	switch cp.(type) {
	case gorm.TxBeginner, gorm.ConnPoolBeginner:
		return true
	}
	return false
}

// BeginTx begins a transaction on the wrapped pool and wraps it. A
// transaction that does not implement gorm.Tx is returned as it is, and is
// not tracked.
func (c *pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	switch b := c.ConnPool.(type) {
	case gorm.TxBeginner:
		tx, err := b.BeginTx(ctx, opts)
		if err != nil {
			return nil, err
		}
		return newTxConn(c, tx), nil
	case gorm.ConnPoolBeginner:
		cp, err := b.BeginTx(ctx, opts)
		if err != nil {
			return nil, err
		}
		if tx, ok := cp.(gorm.Tx); ok {
			return newTxConn(c, tx), nil
		}
		return cp, nil
	}
	return nil, gorm.ErrInvalidTransaction
}

// GetDBConn implements gorm.GetDBConnector.
func (c *pool) GetDBConn() (*sql.DB, error) {
	switch cp := c.ConnPool.(type) {
	case *sql.DB:
		return cp, nil
	case gorm.GetDBConnector:
		return cp.GetDBConn()
	}
	return nil, gorm.ErrInvalidDB
}

// Ping pings the database, as GORM does with the pools it opens.
func (c *pool) Ping() error {
	db, err := c.GetDBConn()
	if err != nil {
		return err
	}
	return db.Ping()
}
