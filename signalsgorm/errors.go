package signalsgorm

import (
	"errors"
	"fmt"
)

var errNotInstalled = errors.New("signalsgorm: the plugin is not installed on this *gorm.DB (db.Use(signalsgorm.New()))")

// Errors of [OnCommit], [OnCommitContext], after-commit receivers and
// [CaptureOnCommit].
var (
	// ErrNilCallback reports a nil on-commit callback (Django's TypeError,
	// C119).
	ErrNilCallback = errors.New("signalsgorm: on-commit callback is nil")
	// ErrNoDB reports a context that carries no *gorm.DB: it is not the
	// context of a receiver of a signal the plugin sent, nor one made by
	// [NewContext].
	ErrNoDB = errors.New("signalsgorm: the context carries no *gorm.DB (use the context a receiver gets, or signalsgorm.NewContext)")
	// ErrUntracked reports a transaction the plugin cannot see commit: one
	// begun on the *sql.Conn of db.Connection, or on a connection pool
	// installed after the plugin. Running the callback now would run it
	// before the commit, so it is refused (Django refuses on_commit under
	// manual transaction management the same way, C121).
	ErrUntracked = errors.New("signalsgorm: the statement runs in a transaction the plugin does not track (db.Connection, or a ConnPool replaced after the plugin was installed)")
	// ErrRolledBack reports a callback registered on a transaction that
	// was already rolled back: what it would announce did not happen.
	ErrRolledBack = errors.New("signalsgorm: the transaction was rolled back")
	// ErrNoTransaction reports a [CaptureOnCommit] outside a transaction.
	ErrNoTransaction = errors.New("signalsgorm: not in a transaction")
)

// CallbackError is the error of a fail-fast on-commit callback (see
// [FailFast]). When it comes out of a commit (db.Transaction, tx.Commit(),
// or the statement that began the transaction) the transaction WAS
// committed: only what came after the failing callback is lost, the
// callbacks queued after it, which were discarded (Django C128).
type CallbackError struct {
	// Callback names the failing function.
	Callback string
	// TxID identifies the committed transaction; it is 0 for a callback run
	// at once, outside a transaction.
	TxID uint64
	Err  error
}

func (e *CallbackError) Error() string {
	if e.TxID == 0 {
		return fmt.Sprintf("signalsgorm: on-commit callback %s: %v", e.Callback, e.Err)
	}
	return fmt.Sprintf("signalsgorm: on-commit callback %s of transaction %d: %v", e.Callback, e.TxID, e.Err)
}

// Unwrap returns the callback's error.
func (e *CallbackError) Unwrap() error { return e.Err }
