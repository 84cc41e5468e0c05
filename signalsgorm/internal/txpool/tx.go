package txpool

import (
	"database/sql"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// An Item is what a transaction queues for after its commit. Queued is
// called once, with the transaction's lock held, when the item is queued:
// it receives the transaction's ID and the item's sequence number in the
// transaction's queue, which Seq must then return.
type Item interface {
	Queued(tx, seq uint64)
	Seq() uint64
}

// Tx is one database transaction begun through a [Pool]: the driver's
// transaction (usually a *sql.Tx), wrapped so that its commit and its
// rollback are seen.
type Tx struct {
	gorm.Tx
	pool   *Pool
	id     uint64
	events atomic.Uint64 // sequence numbers handed out by Next

	mu         sync.Mutex
	state      State
	seq        uint64 // sequence number of the last item queued
	items      []Item
	savepoints []savepoint
	before     []beforeFn // BeforeCommit's functions
}

type beforeFn struct {
	key any
	fn  func() error
}

// State is the state of a transaction.
type State uint8

// The states of a transaction.
const (
	Open State = iota
	Committed
	RolledBack
)

func (s State) String() string {
	return [...]string{"open", "committed", "rolled back"}[s]
}

var txIDs atomic.Uint64

func newTx(c *Pool, tx gorm.Tx) *Tx {
	return &Tx{Tx: tx, pool: c, id: txIDs.Add(1)}
}

// Of returns the transaction db's statement runs in. inTx is true for any
// open transaction; t is nil when it is not one a Pool tracks (begun on a
// *sql.Conn of db.Connection, or on a connection pool installed after the
// Pool). For a [Nested] transaction it returns the outermost.
func Of(db *gorm.DB) (t *Tx, inTx bool) {
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
	case *Tx:
		return c, c != nil
	case *Nested:
		return c.outer, c != nil
	case gorm.TxCommitter:
		return nil, c != nil
	}
	return nil, false
}

// State returns the transaction's state.
func (t *Tx) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

// ID identifies the transaction within the process: IDs are unique and
// grow with every transaction begun.
func (t *Tx) ID() uint64 { return t.id }

// Next returns the next number of a sequence that starts at 1 with each
// transaction, for ordering the events it produces.
func (t *Tx) Next() uint64 { return t.events.Add(1) }

// Add queues item for after the outermost commit. It returns the
// transaction's state: Open if item was queued; Committed or RolledBack
// (and nothing is queued) if the transaction has already ended.
func (t *Tx) Add(item Item) State {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != Open {
		return t.state
	}
	t.seq++
	item.Queued(t.id, t.seq)
	t.items = append(t.items, item)
	return Open
}

// Mark returns the sequence number the next item queued will get.
func (t *Tx) Mark() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seq + 1
}

// Take removes and returns the queued items numbered from mark on.
func (t *Tx) Take(mark uint64) []Item {
	t.mu.Lock()
	defer t.mu.Unlock()
	i := t.cut(mark)
	out := append([]Item(nil), t.items[i:]...)
	clear(t.items[i:])
	t.items = t.items[:i]
	return out
}

// cut returns the index of the first queued item numbered mark or more.
// Items are queued in sequence order. t.mu must be held.
func (t *Tx) cut(mark uint64) int {
	i := len(t.items)
	for i > 0 && t.items[i-1].Seq() >= mark {
		i--
	}
	return i
}

// end marks the transaction finished and returns its queued items.
func (t *Tx) end(state State) []Item {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != Open {
		return nil
	}
	t.state = state
	items := t.items
	t.items, t.savepoints, t.before = nil, nil, nil
	return items
}

// BeforeCommit adds fn, under key, to the functions called just before the
// outermost COMMIT, in the order added, in the transaction; fn typically
// writes queued items ([Tx.Extract]) with the transaction. A key already
// added keeps its first function. If fn fails, the transaction is rolled
// back and Commit returns the error. A rollback drops the functions; a
// rollback to a savepoint does not (the items queued since do go). It
// returns the transaction's state, as [Tx.Add] does.
func (t *Tx) BeforeCommit(key any, fn func() error) State {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != Open {
		return t.state
	}
	for _, b := range t.before {
		if b.key == key {
			return Open
		}
	}
	t.before = append(t.before, beforeFn{key, fn})
	return Open
}

// Extract removes and returns the queued items match selects, in order.
func (t *Tx) Extract(match func(Item) bool) []Item {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Item
	kept := t.items[:0]
	for _, it := range t.items {
		if match(it) {
			out = append(out, it)
		} else {
			kept = append(kept, it)
		}
	}
	clear(t.items[len(kept):])
	t.items = kept
	return out
}

// runBefore calls the BeforeCommit functions.
func (t *Tx) runBefore() error {
	t.mu.Lock()
	fns := t.before
	t.before = nil
	t.mu.Unlock()
	for _, b := range fns {
		if err := b.fn(); err != nil {
			return err
		}
	}
	return nil
}

// Commit calls the BeforeCommit functions, commits the transaction, then
// hands its queued items to the Pool's committed function and returns its
// error. A failed commit drops them: the transaction did not commit.
func (t *Tx) Commit() error {
	if err := t.runBefore(); err != nil {
		t.end(RolledBack)
		_ = t.Tx.Rollback()
		return err
	}
	if err := t.Tx.Commit(); err != nil {
		t.end(RolledBack)
		return err
	}
	items := t.end(Committed)
	if len(items) == 0 {
		return nil
	}
	return t.pool.committed(items)
}

// Rollback rolls the transaction back and drops its queued items.
func (t *Tx) Rollback() error {
	t.end(RolledBack)
	return t.Tx.Rollback()
}

// GetDBConn implements gorm.GetDBConnector, so that db.DB() works inside a
// transaction.
func (t *Tx) GetDBConn() (*sql.DB, error) { return t.pool.GetDBConn() }
