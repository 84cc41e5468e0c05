package signalsgorm

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/outbox"
)

// ModeDurable is the delivery mode, in [signals.ReceiverInfo].Mode, of the
// receivers connected with [DurablePostSave] and its siblings.
const ModeDurable = "durable"

// DurableHandle disconnects a durable receiver: it stops writing its
// events to the outbox and removes it from the outbox registry. Events
// already written stay in the outbox.
type DurableHandle struct {
	h          *signals.Handle
	unregister func()
	model      reflect.Type
	once       sync.Once
}

// Disconnect disconnects the receiver and reports whether it was still
// connected. It is safe to call twice.
func (d *DurableHandle) Disconnect() bool {
	if d == nil {
		return false
	}
	ok := d.h.Disconnect()
	d.once.Do(func() {
		d.unregister()
		durableModels.add(d.model, -1)
	})
	return ok
}

// Info describes the inline receiver that writes the durable receiver's
// events to the outbox: its Mode is [ModeDurable], its Func the user's
// function, its Name the durable receiver's name.
func (d *DurableHandle) Info() signals.ReceiverInfo { return d.h.Info() }

// DurablePostSave connects fn as a durable receiver of post_save for model
// M, under the stable name: each save of an M writes an event to the
// outbox in the save's transaction, and after the commit workers deliver it
// to fn, at least once (see the package documentation, "Durable
// receivers"). fn gets the instance as it was saved, decoded into a new M.
//
//	signalsgorm.DurablePostSave("mail.welcome", func(ctx context.Context, ev outbox.Event[User]) error {
//		if !ev.Created {
//			return nil
//		}
//		return mailer.Welcome(ctx, ev.Instance.Email, ev.Delivery.Key())
//	})
//
// opts are passed to the connection (after [signals.Mode]([ModeDurable]),
// [signals.Func](fn) and [signals.Name](name)). Like any registration, it
// panics on a programmer error: an invalid name (the error wraps
// [outbox.ErrInvalidReceiver]), a name already registered
// ([outbox.ErrDuplicateReceiver]), a nil fn ([signals.ErrNilReceiver]), a
// non-struct M ([modelsignals.ErrNotModel]) or an invalid option. The
// panic value is an error.
func DurablePostSave[M any](name string, fn func(ctx context.Context, ev outbox.Event[M]) error, opts ...signals.Option) *DurableHandle {
	return connectDurable("DurablePostSave", name, "post_save", fn, opts, func(w writeFunc, all []signals.Option) *signals.Handle {
		return modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[M]) error {
			return w(ctx, ev.Instance, func() *outbox.Envelope { return saveEnvelope(ctx, ev.SaveEvent) })
		}, all...)
	})
}

// DurablePostSaveIf is [DurablePostSave] for the saves cond accepts: cond
// is called with each post_save event of M, in the save's transaction,
// before anything is written, and an event it returns false for writes no
// outbox row and is never delivered. [Created] accepts the saves that
// inserted their row:
//
//	signalsgorm.DurablePostSaveIf("mail.welcome", signalsgorm.Created, func(ctx context.Context, ev outbox.Event[User]) error {
//		return mailer.Welcome(ctx, ev.Instance.Email, ev.Delivery.Key())
//	})
//
// cond runs as an inline receiver: it must be quick, and it must not write.
// A nil cond panics like a nil fn (the error wraps [signals.ErrNilReceiver]).
func DurablePostSaveIf[M any](name string, cond func(ev modelsignals.Save[M]) bool, fn func(ctx context.Context, ev outbox.Event[M]) error, opts ...signals.Option) *DurableHandle {
	if cond == nil {
		panic(fmt.Errorf("signalsgorm: DurablePostSaveIf: %w: durable receiver %q has a nil condition; pass one, or use DurablePostSave", signals.ErrNilReceiver, name))
	}
	return connectDurable("DurablePostSaveIf", name, "post_save", fn, opts, func(w writeFunc, all []signals.Option) *signals.Handle {
		return modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[M]) error {
			if !cond(ev) {
				return nil
			}
			return w(ctx, ev.Instance, func() *outbox.Envelope { return saveEnvelope(ctx, ev.SaveEvent) })
		}, all...)
	})
}

// Created is a condition for [DurablePostSaveIf]: the save inserted the
// row (post_save's created).
func Created[M any](ev modelsignals.Save[M]) bool { return ev.Created }

// DurablePostDelete connects fn as a durable receiver of post_delete for
// model M, like [DurablePostSave]; the instance is the one deleted: the
// one given to Delete, or the row as read for a deletion by conditions or
// a cascade.
func DurablePostDelete[M any](name string, fn func(ctx context.Context, ev outbox.Event[M]) error, opts ...signals.Option) *DurableHandle {
	return connectDurable("DurablePostDelete", name, "post_delete", fn, opts, func(w writeFunc, all []signals.Option) *signals.Handle {
		return modelsignals.OnPostDelete(func(ctx context.Context, ev modelsignals.Delete[M]) error {
			return w(ctx, ev.Instance, func() *outbox.Envelope { return deleteEnvelope(ctx, ev.DeleteEvent) })
		}, all...)
	})
}

// DurableM2MChanged connects fn as a durable receiver of the post_add,
// post_remove and post_clear actions of m2m_changed on the relations of
// model M (the model whose relation changed, from either side), like
// [DurablePostSave]: the envelope's Action, Field, Related and PKSet
// describe the change, and the instance is M's.
func DurableM2MChanged[M any](name string, fn func(ctx context.Context, ev outbox.Event[M]) error, opts ...signals.Option) *DurableHandle {
	t := reflect.TypeFor[M]()
	return connectDurable("DurableM2MChanged", name, "m2m_changed", fn, opts, func(w writeFunc, all []signals.Option) *signals.Handle {
		return modelsignals.M2MChanged.Connect(signals.ReceiverFunc[modelsignals.M2MEvent](func(ctx context.Context, ev modelsignals.M2MEvent) error {
			if ev.Model == nil || ev.Model.Type != t {
				return nil
			}
			switch ev.Action {
			case modelsignals.PostAdd, modelsignals.PostRemove, modelsignals.PostClear:
			default:
				return nil
			}
			return w(ctx, ev.Instance, func() *outbox.Envelope { return m2mEnvelope(ctx, ev) })
		}), all...)
	})
}

// writeFunc writes the event of inst, whose envelope build returns, to
// the outbox.
type writeFunc = func(ctx context.Context, inst any, build func() *outbox.Envelope) error

// connectDurable registers the durable receiver name in the outbox
// registry and connects its writer with connect. op names the exported
// function in panic messages.
func connectDurable[M any](op, name, signal string, fn func(context.Context, outbox.Event[M]) error,
	opts []signals.Option, connect func(w writeFunc, all []signals.Option) *signals.Handle,
) *DurableHandle {
	t := reflect.TypeFor[M]()
	if t.Kind() != reflect.Struct {
		panic(fmt.Errorf("signalsgorm: %s[%v]: %w: durable receiver %q: %v is a %v; use the model's struct type",
			op, t, modelsignals.ErrNotModel, name, t, t.Kind()))
	}
	if fn == nil {
		panic(fmt.Errorf("signalsgorm: %s: %w: durable receiver %q has a nil function; pass the handler to call", op, signals.ErrNilReceiver, name))
	}
	rec := outbox.Receiver{Name: name, Signal: signal, Model: modelsignals.LabelOf(t), Handler: outbox.Typed(fn), Func: funcName(fn)}
	unregister, err := outbox.DefaultRegistry.Register(rec)
	if errors.Is(err, outbox.ErrDuplicateReceiver) {
		panic(fmt.Errorf("signalsgorm: %s: %w; a durable name is the key of its events, unique in the process: choose another, or Disconnect the first", op, err))
	}
	if err != nil {
		panic(fmt.Errorf("signalsgorm: %s: %w", op, err))
	}
	connected := false
	defer func() {
		if !connected { // connect panicked on an invalid option
			unregister()
		}
	}()
	w := &durableWriter{name: name, topic: rec.Topic()}
	all := make([]signals.Option, 0, len(opts)+4)
	all = append(all, signals.Mode(ModeDurable), signals.Func(fn), signals.Name(name), signals.CallerSkip(3))
	h := connect(w.write, append(all, opts...))
	connected = true
	durableModels.add(t, 1)
	return &DurableHandle{h: h, unregister: unregister, model: t}
}

func funcName(fn any) string {
	return (&callback{origin: fn}).name()
}

// durableModels counts the durable receivers of each model type, so that
// statements on them with SkipDefaultTransaction open a transaction.
var durableModels countMap

type countMap struct {
	mu  sync.Mutex
	m   atomic.Pointer[map[reflect.Type]int]
	any atomic.Bool
}

func (c *countMap) add(t reflect.Type, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	next := make(map[reflect.Type]int)
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[t] += n
	if next[t] <= 0 {
		delete(next, t)
	}
	c.m.Store(&next)
	c.any.Store(len(next) > 0)
}

func (c *countMap) has(t reflect.Type) bool {
	if !c.any.Load() {
		return false
	}
	m := c.m.Load()
	return m != nil && (*m)[t] > 0
}
