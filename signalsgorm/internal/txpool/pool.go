package txpool

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

// Pool wraps the connection pool of a *gorm.DB so that the transactions it
// begins are [Tx]. It implements gorm.ConnPoolBeginner, and not
// gorm.TxBeginner, so that GORM (and its PreparedStmtDB) keep the
// transaction it returns; and gorm.GetDBConnector, so that db.DB() keeps
// returning the *sql.DB.
type Pool struct {
	gorm.ConnPool // what the dialector opened: a *sql.DB, or the dialector's Conn
	mysql         bool
	committed     func([]Item) error
}

// Install puts a Pool between db and its connection pool and returns it;
// committed receives the items of every transaction that commits, in the
// order they were queued, and its error is the commit's. When db already
// has a Pool, Install returns it unchanged; when db's pool cannot begin
// transactions, it returns nil.
//
// With PrepareStmt, GORM's *gorm.PreparedStmtDB stays outermost and the
// Pool goes inside it, so that its PreparedStmtTX wraps the Pool's
// transactions.
func Install(db *gorm.DB, committed func([]Item) error) *Pool {
	mysql := db.Dialector.Name() == "mysql"
	switch cp := db.ConnPool.(type) {
	case *Pool:
		return cp
	case *gorm.PreparedStmtDB:
		if c, ok := cp.ConnPool.(*Pool); ok {
			return c
		}
		if !beginner(cp.ConnPool) {
			return nil
		}
		p := &Pool{ConnPool: cp.ConnPool, mysql: mysql, committed: committed}
		cp.ConnPool = p
		return p
	default:
		if !beginner(cp) {
			return nil
		}
		p := &Pool{ConnPool: cp, mysql: mysql, committed: committed}
		if db.Statement.ConnPool == db.ConnPool {
			db.Statement.ConnPool = p
		}
		db.ConnPool = p
		return p
	}
}

// Installed reports whether db's connection pool is a Pool, bare or under
// GORM's prepared statements.
func Installed(db *gorm.DB) bool {
	cp := db.ConnPool
	if ps, ok := cp.(*gorm.PreparedStmtDB); ok {
		cp = ps.ConnPool
	}
	_, ok := cp.(*Pool)
	return ok
}

func beginner(cp gorm.ConnPool) bool {
	switch cp.(type) {
	case gorm.TxBeginner, gorm.ConnPoolBeginner:
		return true
	}
	return false
}

// BeginTx begins a transaction on the wrapped pool and wraps it in a [Tx].
// A transaction that does not implement gorm.Tx is returned as it is, and
// is not tracked. When ctx's statements join one of c's transactions
// ([Pool.Joined]), BeginTx sets a savepoint in it instead and returns a
// [Nested] transaction; when the one ctx carries has ended, it fails.
func (c *Pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	if ctx != nil {
		switch t, err := c.Joined(ctx); {
		case err != nil:
			return nil, err
		case t != nil:
			n, err := t.nest(ctx, opts)
			if err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	switch b := c.ConnPool.(type) {
	case gorm.TxBeginner:
		tx, err := b.BeginTx(ctx, opts)
		if err != nil {
			return nil, err
		}
		return newTx(c, tx), nil
	case gorm.ConnPoolBeginner:
		cp, err := b.BeginTx(ctx, opts)
		if err != nil {
			return nil, err
		}
		if tx, ok := cp.(gorm.Tx); ok {
			return newTx(c, tx), nil
		}
		return cp, nil
	}
	return nil, gorm.ErrInvalidTransaction
}

// GetDBConn implements gorm.GetDBConnector.
func (c *Pool) GetDBConn() (*sql.DB, error) {
	switch cp := c.ConnPool.(type) {
	case *sql.DB:
		return cp, nil
	case gorm.GetDBConnector:
		return cp.GetDBConn()
	}
	return nil, gorm.ErrInvalidDB
}

// Ping pings the database, as GORM does with the pools it opens.
func (c *Pool) Ping() error {
	db, err := c.GetDBConn()
	if err != nil {
		return err
	}
	return db.Ping()
}
