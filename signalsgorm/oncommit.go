package signalsgorm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalsgorm/internal/txpool"
)

// callback is one registered on-commit callback.
type callback struct {
	fn       func(ctx context.Context) error
	ctx      context.Context // the registration's
	origin   any             // the user's function, for its name
	label    string          // a name given by the registration, if any
	failFast bool
	seq      uint64 // order within the transaction, set when queued
	tx       uint64 // the transaction's ID, 0 if run at once
}

// Queued implements txpool.Item.
func (cb *callback) Queued(tx, seq uint64) { cb.tx, cb.seq = tx, seq }

// Seq implements txpool.Item.
func (cb *callback) Seq() uint64 { return cb.seq }

func (cb *callback) name() string {
	if cb.label != "" {
		return cb.label
	}
	v := reflect.ValueOf(cb.origin)
	if v.Kind() == reflect.Func && !v.IsNil() {
		if f := runtime.FuncForPC(v.Pointer()); f != nil {
			n := f.Name()
			if i := strings.LastIndexByte(n, '/'); i >= 0 {
				n = n[i+1:]
			}
			return n
		}
	}
	return fmt.Sprintf("%T", cb.origin)
}

// A CommitOption configures one on-commit callback.
type CommitOption func(*callback)

// FailFast makes a callback fail-fast, as Django's default on_commit
// (robust=False): its error is returned by the commit, wrapped in a
// *[CallbackError], and the callbacks queued after it are discarded; a
// panic propagates to the caller of the commit. Outside a transaction
// [OnCommit] returns the error.
//
// Without FailFast a callback is robust (Django's robust=True): its error
// or panic is logged on the plugin's [Logger] and the next callbacks run.
func FailFast() CommitOption { return func(cb *callback) { cb.failFast = true } }

// OnCommit registers fn to be called after the transaction tx runs in
// commits (Django's transaction.on_commit):
//
//   - Callbacks run when the outermost transaction commits, after the
//     COMMIT succeeded, in registration order, whatever the nesting. Nested
//     db.Transaction calls are savepoints of the same transaction.
//   - A rollback drops every callback of the transaction. A rollback to a
//     savepoint (a nested db.Transaction that failed, or tx.RollbackTo)
//     drops exactly the callbacks registered since that savepoint.
//   - Outside a transaction fn is called at once, before OnCommit returns;
//     so is it on a transaction that has already committed, or while its
//     callbacks run.
//
// fn runs after the transaction ended: the context it gets is the
// registration's (tx.Statement.Context), carrying a *gorm.DB on the
// connection pool, not on the transaction; [DB](ctx, db) returns it. The
// statements fn issues with it, through any *gorm.DB, run on their own
// (they join no transaction, and the ended one does not refuse them), and
// OnCommitContext(ctx, ...) inside fn runs at once.
//
// OnCommit returns an error for a nil fn, a tx without the plugin, a
// transaction that was rolled back ([ErrRolledBack]) or that the plugin does
// not track ([ErrUntracked]); and, outside a transaction, the error of a
// [FailFast] fn.
func OnCommit(tx *gorm.DB, fn func(ctx context.Context) error, opts ...CommitOption) error {
	if tx == nil {
		return errors.New("signalsgorm: OnCommit: nil *gorm.DB")
	}
	return onCommit(tx, tx.Statement.Context, fn, fn, opts)
}

// OnCommitContext is [OnCommit] for the transaction of the *gorm.DB ctx
// carries: the one of the statement that sent the signal, in a receiver's
// context, or the one given to [NewContext]. It returns [ErrNoDB] when ctx
// carries none. fn gets ctx (with a *gorm.DB on the connection pool).
//
//	modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Order]) error {
//		id := ev.Instance.ID
//		return signalsgorm.OnCommitContext(ctx, func(ctx context.Context) error {
//			return mailer.SendReceipt(ctx, id)
//		})
//	})
func OnCommitContext(ctx context.Context, fn func(ctx context.Context) error, opts ...CommitOption) error {
	return onCommitContext(ctx, fn, fn, opts)
}

func onCommitContext(ctx context.Context, fn func(context.Context) error, origin any, opts []CommitOption) error {
	if ctx == nil {
		return ErrNoDB
	}
	db, ok := ctx.Value(dbKey{}).(*gorm.DB)
	if !ok {
		return ErrNoDB
	}
	return onCommit(db, ctx, fn, origin, opts)
}

func onCommit(db *gorm.DB, ctx context.Context, fn func(context.Context) error, origin any, opts []CommitOption) error {
	if fn == nil {
		return ErrNilCallback
	}
	p := From(db)
	if p == nil {
		return errNotInstalled
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cb := &callback{fn: fn, ctx: ctx, origin: origin}
	for _, o := range opts {
		if o != nil {
			o(cb)
		}
	}
	t, inTx := transactionOf(db)
	switch {
	case t != nil:
		switch t.Add(cb) {
		case txpool.Open:
			return nil
		case txpool.RolledBack:
			return fmt.Errorf("signalsgorm: OnCommit %s on transaction %d: %w", cb.name(), t.ID(), ErrRolledBack)
		}
		// Committed: no transaction is active any more; run it now.
	case inTx:
		return fmt.Errorf("signalsgorm: OnCommit %s: %w", cb.name(), ErrUntracked)
	}
	return p.call(cb, p.db)
}

// runCommitted runs the callbacks of a transaction that committed, in
// order, each with a *gorm.DB on the connection pool. The first fail-fast
// failure stops the run: the rest are discarded.
func (p *Plugin) runCommitted(items []txpool.Item) error {
	for _, it := range items {
		if err := p.call(it.(*callback), p.db); err != nil {
			return err
		}
	}
	return nil
}

// call runs cb with its context carrying db. A robust callback's failure
// (error or panic) is logged and call returns nil; a fail-fast callback's
// error is returned as a *CallbackError and its panic propagates.
func (p *Plugin) call(cb *callback, db *gorm.DB) (err error) {
	ctx := txpool.NewContext(cb.ctx, db) // db is on the pool: the statements issued with ctx join nothing
	ctx, fn := traceCallback(ctx, cb)    // a step in the trace of the registration, if any
	if cb.failFast {
		if err := fn(ctx); err != nil {
			return &CallbackError{Callback: cb.name(), TxID: cb.tx, Err: err}
		}
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			p.logFailure(ctx, cb, &signals.PanicError{Value: v, Stack: debug.Stack()})
		}
	}()
	if err := fn(ctx); err != nil {
		p.logFailure(ctx, cb, err)
	}
	return nil
}

func (p *Plugin) logFailure(ctx context.Context, cb *callback, err error) {
	l := p.logger
	if l == nil {
		l = slog.Default()
	}
	attrs := []slog.Attr{slog.String("callback", cb.name()), slog.Any("error", err), slog.String("using", p.using)}
	if cb.tx != 0 {
		attrs = append(attrs, slog.Uint64("tx", cb.tx))
	}
	l.LogAttrs(ctx, slog.LevelError, "signalsgorm: error calling on-commit callback", attrs...)
}
