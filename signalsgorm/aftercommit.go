package signalsgorm

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
)

// ModeAfterCommit is the delivery mode, in [signals.ReceiverInfo].Mode, of
// the receivers connected with [AfterCommit].
const ModeAfterCommit = "after_commit"

// AfterCommit connects fn with connect so that it receives each event after
// the transaction of the statement that sent it commits, and never if it
// rolls back: the receiver defers its call with [OnCommitContext] of the
// event's context. connect is a typed connect function of package
// modelsignals, or a signal's ConnectFunc method; opts are passed on, after
// [signals.Mode]([ModeAfterCommit]) and [signals.Func](fn), so that
// introspection shows the delivery mode and the user's function.
//
//	signalsgorm.AfterCommit(modelsignals.OnPostSave, func(ctx context.Context, ev modelsignals.Save[Order]) error {
//		return queue.Enqueue(ctx, "receipt", ev.Instance.ID)
//	})
//	signalsgorm.AfterCommit(modelsignals.PostSave.ConnectFunc, auditAll)
//
// The semantics are those of [OnCommit], whose rules the receiver follows:
// the event is delivered when the outermost transaction commits, in the
// order the events were sent; an event sent in a savepoint that is rolled
// back is dropped; outside a transaction (SkipDefaultTransaction, queries
// outside db.Transaction) it is delivered at once. Receivers are robust:
// their errors and panics are logged on the plugin's [Logger] and never
// reach the sender, which has finished by then.
//
// The event is delivered as it was sent; its Instance is a pointer, so the
// receiver sees the object as it is at commit time, after any later change
// made in the transaction. The context is the one it was sent with, its
// *gorm.DB ([DB]) on the pool: the statements the receiver issues with it
// run on their own, as the transaction is over. It keeps the chain of
// saves in progress, so the recursion guard stops a receiver that
// re-saves its instance (each round would commit and start the next); use
// [AllowResave] for an intended re-save, as in an inline receiver.
//
// After the commit means after the change: AfterCommit takes post_*
// signals and m2m_changed, whose pre_* actions (pre_add, pre_remove,
// pre_clear) the receiver does not get. Given the connect function of a
// pre_* signal it panics with an error wrapping [ErrPreSignal] (outside a
// transaction the receiver would be called at once, before the write).
//
// A sender that is not a plugin statement must put the transaction into
// the context with [NewContext]; when the context carries no *gorm.DB the
// receiver returns [ErrNoDB] to the sender.
//
// Like any registration, AfterCommit panics on a programmer error: a nil
// connect or fn (the latter an error wrapping [signals.ErrNilReceiver]), a
// pre_* signal, or an option connect refuses.
func AfterCommit[E any](connect func(fn func(context.Context, E) error, opts ...signals.Option) *signals.Handle, fn func(ctx context.Context, ev E) error, opts ...signals.Option) *signals.Handle {
	if connect == nil {
		panic(fmt.Errorf("signalsgorm: AfterCommit: %w: connect is nil; pass a connect function such as modelsignals.OnPostSave or a signal's ConnectFunc", signals.ErrNilSignal))
	}
	if fn == nil {
		panic(fmt.Errorf("signalsgorm: AfterCommit: %w: fn is nil; pass the receiver function", signals.ErrNilReceiver))
	}
	var name atomic.Pointer[string]
	all := make([]signals.Option, 0, len(opts)+3)
	all = append(all, signals.Mode(ModeAfterCommit), signals.CallerSkip(1), signals.Func(fn))
	h := connect(afterCommitReceiver(fn, &name), append(all, opts...)...)
	info := h.Info()
	if strings.HasPrefix(info.Signal, "pre_") {
		h.Disconnect()
		panic(fmt.Errorf("%w: %s announces a change not made yet (outside a transaction the receiver would run at once, before it); "+
			"connect the receiver after the commit to %s, or inline to %s",
			ErrPreSignal, info.Signal, strings.Replace(info.Signal, "pre_", "post_", 1), info.Signal))
	}
	if info.Name != info.Func {
		name.Store(&info.Name)
	}
	return h
}

// afterCommitReceiver returns the receiver that defers fn(ctx, ev) until
// the transaction of ctx commits; the deferred calls carry the receiver's
// name (in logs and traces) once name is set.
func afterCommitReceiver[E any](fn func(ctx context.Context, ev E) error, name *atomic.Pointer[string]) func(ctx context.Context, ev E) error {
	return func(ctx context.Context, ev E) error {
		if m2m, ok := any(ev).(modelsignals.M2MEvent); ok && preAction(m2m.Action) {
			return nil // before the change: nothing to announce after the commit
		}
		var opts []CommitOption
		if n := name.Load(); n != nil {
			opts = []CommitOption{func(cb *callback) { cb.label = *n }}
		}
		return onCommitContext(ctx, func(ctx context.Context) error { return fn(ctx, ev) }, fn, opts)
	}
}

// preAction reports whether a is one of m2m_changed's pre_* actions.
func preAction(a modelsignals.M2MAction) bool {
	switch a {
	case modelsignals.PreAdd, modelsignals.PreRemove, modelsignals.PreClear:
		return true
	}
	return false
}
