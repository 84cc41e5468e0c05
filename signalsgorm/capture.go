package signalsgorm

import (
	"fmt"

	"gorm.io/gorm"
)

// Callback is an on-commit callback captured by [CaptureOnCommit].
type Callback struct {
	// Name names the function registered (for an after-commit receiver,
	// the receiver's function).
	Name string
	// FailFast reports a callback registered with [FailFast].
	FailFast bool

	cb *callback
	db *gorm.DB
}

// Run calls the callback and returns its error (or panics with its panic),
// with its registration context carrying the transaction it was captured
// from, as CaptureOnCommit's Execute does.
func (c Callback) Run() error {
	return c.cb.fn(NewContext(c.cb.ctx, c.db))
}

// A CaptureOption configures [CaptureOnCommit].
type CaptureOption func(*captureConfig)

type captureConfig struct{ execute bool }

// Execute makes [CaptureOnCommit] run the callbacks it captured, as
// Django's captureOnCommitCallbacks(execute=True).
func Execute() CaptureOption { return func(c *captureConfig) { c.execute = true } }

// CaptureOnCommit is Django's captureOnCommitCallbacks, for tests that run
// inside a transaction they roll back, where on-commit callbacks would
// never run. It calls fn(tx) and returns the on-commit callbacks fn
// registered on tx's transaction (directly, or through after-commit
// receivers of the signals its statements sent), in registration order:
// not those registered before, nor those a rollback to a savepoint dropped
// while fn ran. tx must be in a transaction ([ErrNoTransaction] otherwise).
//
// The callbacks are taken out of the transaction: they will not run when it
// commits (Django leaves them queued, but its TestCase never commits).
//
// With [Execute], and when fn returned nil, it then runs them in order, in
// the transaction, each with its registration context carrying tx;
// callbacks that they register are captured and run after them, and so on
// (a tree of callbacks runs breadth first, as in Django: tests/test_utils/tests.py,
// CaptureOnCommitCallbacksTests.test_execute_tree). Robust callbacks'
// failures are logged; a [FailFast] callback's error stops the run and is
// returned. The result lists every callback run.
func CaptureOnCommit(tx *gorm.DB, fn func(tx *gorm.DB) error, opts ...CaptureOption) ([]Callback, error) {
	var cfg captureConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	p := From(tx)
	if p == nil {
		return nil, errNotInstalled
	}
	t, inTx := transactionOf(tx)
	switch {
	case t == nil && inTx:
		return nil, fmt.Errorf("signalsgorm: CaptureOnCommit: %w", ErrUntracked)
	case t == nil:
		return nil, fmt.Errorf("signalsgorm: CaptureOnCommit: %w: begin one (tx := db.Begin()) and roll it back when the test ends", ErrNoTransaction)
	}
	mark := t.Mark()
	err := fn(tx)
	batch := callbacks(t.Take(mark))
	all := captured(nil, batch, tx)
	if !cfg.execute || err != nil {
		return all, err
	}
	for len(batch) > 0 {
		mark = t.Mark()
		for _, cb := range batch {
			if err := p.call(cb, tx); err != nil {
				return all, err
			}
		}
		batch = callbacks(t.Take(mark))
		all = captured(all, batch, tx)
	}
	return all, nil
}

func captured(out []Callback, cbs []*callback, db *gorm.DB) []Callback {
	for _, cb := range cbs {
		out = append(out, Callback{Name: cb.name(), FailFast: cb.failFast, cb: cb, db: db})
	}
	return out
}
