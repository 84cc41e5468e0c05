package signalsgorm

import (
	"database/sql"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// txConn is one database transaction as the plugin sees it: the driver's
// transaction (usually a *sql.Tx), wrapped so that its commit and its
// rollback are seen; the plugin's raw-statement callback reports its
// savepoints (savepoint.go). GORM holds it as the statement's
// ConnPool for the whole transaction, nested Transaction calls included
// (they are savepoints of the same txConn), so it is the identity of the
// outermost transaction.
//
// Besides on-commit callbacks, it is the internal API for features that
// need to know the transaction a statement runs in (see transactionOf):
// ID, Next, and add, which registers a callback for after the outermost
// commit with the savepoint semantics of OnCommit.
type txConn struct {
	gorm.Tx
	pool   *pool
	id     uint64
	mysql  bool
	events atomic.Uint64 // sequence numbers handed out by Next

	mu         sync.Mutex
	state      txState
	seq        uint64 // sequence number of the last callback added
	callbacks  []*callback
	savepoints []savepoint
}

type txState uint8

const (
	txOpen txState = iota
	txCommitted
	txRolledBack
)

// savepoint records a SAVEPOINT and the sequence number the first callback
// registered after it would have: rolling back to it drops every callback
// numbered from mark on.
type savepoint struct {
	name string
	mark uint64
}

var txIDs atomic.Uint64

func newTxConn(c *pool, tx gorm.Tx) *txConn {
	return &txConn{Tx: tx, pool: c, id: txIDs.Add(1), mysql: c.plugin.mysql}
}

// transactionOf returns the transaction db's statement runs in. inTx is true
// for any open transaction; t is nil when it is not one the plugin tracks
// (begun on a *sql.Conn of db.Connection, or on a connection pool installed
// after the plugin).
func transactionOf(db *gorm.DB) (t *txConn, inTx bool) {
	if db == nil || db.Statement == nil {
		return nil, false
	}
	cp := db.Statement.ConnPool
	for {
		// PrepareStmt wraps the transaction, once per prepared-statement
		// layer (the configuration's and a Session's).
		ps, ok := cp.(*gorm.PreparedStmtTX)
		if !ok || ps == nil {
			break
		}
		cp = ps.Tx
	}
	switch c := cp.(type) {
	case *txConn:
		return c, c != nil
	case gorm.TxCommitter:
		return nil, c != nil
	}
	return nil, false
}

// TxID returns the ID of the transaction db's statement runs in, and
// whether it runs in one the plugin tracks. IDs are unique within the
// process; every nested db.Transaction of one transaction has the same ID.
// Use it to correlate logs, or to tell whether code runs in a transaction.
func TxID(db *gorm.DB) (id uint64, ok bool) {
	if t, _ := transactionOf(db); t != nil {
		return t.id, true
	}
	return 0, false
}

// ID identifies the transaction within the process: IDs are unique and
// grow with every transaction begun.
func (t *txConn) ID() uint64 { return t.id }

// Next returns the next number of a sequence that starts at 1 with each
// transaction, for ordering the events it produces.
func (t *txConn) Next() uint64 { return t.events.Add(1) }

// add registers cb to run after the transaction commits. It returns the
// transaction's state: txOpen if cb was queued; txCommitted or txRolledBack
// (and nothing is queued) if the transaction has already ended.
func (t *txConn) add(cb *callback) txState {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != txOpen {
		return t.state
	}
	t.seq++
	cb.seq = t.seq
	cb.tx = t.id
	t.callbacks = append(t.callbacks, cb)
	return txOpen
}

// mark returns the sequence number the next callback will get.
func (t *txConn) mark() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seq + 1
}

// take removes and returns the queued callbacks numbered from mark on.
func (t *txConn) take(mark uint64) []*callback {
	t.mu.Lock()
	defer t.mu.Unlock()
	i := t.cut(mark)
	out := append([]*callback(nil), t.callbacks[i:]...)
	clear(t.callbacks[i:])
	t.callbacks = t.callbacks[:i]
	return out
}

// cut returns the index of the first queued callback numbered mark or
// more. Callbacks are queued in sequence order. t.mu must be held.
func (t *txConn) cut(mark uint64) int {
	i := len(t.callbacks)
	for i > 0 && t.callbacks[i-1].seq >= mark {
		i--
	}
	return i
}

// savepoint applies a savepoint statement that succeeded, with SQL's
// semantics: ROLLBACK TO undoes everything done since the savepoint, so the
// callbacks registered since are dropped, whatever the nesting, and the
// savepoints set after it are destroyed; RELEASE destroys the savepoint and
// those set after it and keeps the callbacks. Names are looked up from the
// most recent savepoint. MySQL replaces a savepoint of the same name; the
// other databases hide it until the newer one is released.
func (t *txConn) savepoint(op spOp, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if op == spSet {
		if t.mysql {
			t.savepoints = deleteName(t.savepoints, name)
		}
		t.savepoints = append(t.savepoints, savepoint{name: name, mark: t.seq + 1})
		return
	}
	i := len(t.savepoints) - 1
	for i >= 0 && t.savepoints[i].name != name {
		i--
	}
	if i < 0 {
		return // not set through this wrapper (see the package documentation)
	}
	if op == spRelease {
		t.savepoints = t.savepoints[:i]
		return
	}
	t.savepoints = t.savepoints[:i+1]
	j := t.cut(t.savepoints[i].mark)
	clear(t.callbacks[j:])
	t.callbacks = t.callbacks[:j]
}

func deleteName(sps []savepoint, name string) []savepoint {
	for i, sp := range sps {
		if sp.name == name {
			return append(sps[:i], sps[i+1:]...)
		}
	}
	return sps
}

// end marks the transaction finished and returns its queued callbacks.
func (t *txConn) end(state txState) []*callback {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != txOpen {
		return nil
	}
	t.state = state
	cbs := t.callbacks
	t.callbacks, t.savepoints = nil, nil
	return cbs
}

// Commit commits the transaction, then runs its callbacks in registration
// order. A failed commit drops them: the transaction did not commit.
func (t *txConn) Commit() error {
	if err := t.Tx.Commit(); err != nil {
		t.end(txRolledBack)
		return err
	}
	cbs := t.end(txCommitted)
	if len(cbs) == 0 {
		return nil
	}
	return t.pool.plugin.runCommitted(cbs)
}

// Rollback rolls the transaction back and drops its callbacks.
func (t *txConn) Rollback() error {
	t.end(txRolledBack)
	return t.Tx.Rollback()
}

// GetDBConn implements gorm.GetDBConnector, so that db.DB() works inside a
// transaction.
func (t *txConn) GetDBConn() (*sql.DB, error) { return t.pool.GetDBConn() }

func (s txState) String() string {
	return [...]string{"open", "committed", "rolled back"}[s]
}
