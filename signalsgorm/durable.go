package signalsgorm

import (
	"context"
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
// [signals.Func](fn) and [signals.Name](name)). It returns an error for an
// invalid or already registered name, a nil fn or a non-struct M.
func DurablePostSave[M any](name string, fn func(ctx context.Context, ev outbox.Event[M]) error, opts ...signals.Option) (*DurableHandle, error) {
	return connectDurable(name, "post_save", fn, opts, func(w func(context.Context, any, func() *outbox.Envelope) error, all []signals.Option) (_ *signals.Handle, err error) {
		defer recoverConnect(&err)
		return modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[M]) error {
			return w(ctx, ev.Instance, func() *outbox.Envelope { return saveEnvelope(ctx, ev.SaveEvent) })
		}, all...), nil
	})
}

// DurablePostDelete connects fn as a durable receiver of post_delete for
// model M, like [DurablePostSave]; the instance is the one deleted, as it
// was loaded.
func DurablePostDelete[M any](name string, fn func(ctx context.Context, ev outbox.Event[M]) error, opts ...signals.Option) (*DurableHandle, error) {
	return connectDurable(name, "post_delete", fn, opts, func(w func(context.Context, any, func() *outbox.Envelope) error, all []signals.Option) (_ *signals.Handle, err error) {
		defer recoverConnect(&err)
		return modelsignals.OnPostDelete(func(ctx context.Context, ev modelsignals.Delete[M]) error {
			return w(ctx, ev.Instance, func() *outbox.Envelope { return deleteEnvelope(ctx, ev.DeleteEvent) })
		}, all...), nil
	})
}

// DurableM2MChanged connects fn as a durable receiver of the post_add,
// post_remove and post_clear actions of m2m_changed on the relations of
// model M (the model whose relation changed, from either side): the
// envelope's Action, Field, Related and PKSet describe the change, and the
// instance is M's.
func DurableM2MChanged[M any](name string, fn func(ctx context.Context, ev outbox.Event[M]) error, opts ...signals.Option) (*DurableHandle, error) {
	t := reflect.TypeFor[M]()
	return connectDurable(name, "m2m_changed", fn, opts, func(w func(context.Context, any, func() *outbox.Envelope) error, all []signals.Option) (_ *signals.Handle, err error) {
		defer recoverConnect(&err)
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
		}), all...), nil
	})
}

// recoverConnect turns the panic of a connect function that refused its
// arguments into *err, which the Durable functions return.
func recoverConnect(err *error) {
	if v := recover(); v != nil {
		e, ok := v.(error)
		if !ok {
			panic(v)
		}
		*err = e
	}
}

// connectDurable registers the durable receiver name in the outbox
// registry and connects its writer with connect.
func connectDurable[M any](name, signal string, fn func(context.Context, outbox.Event[M]) error,
	opts []signals.Option,
	connect func(w func(context.Context, any, func() *outbox.Envelope) error, all []signals.Option) (*signals.Handle, error),
) (*DurableHandle, error) {
	t := reflect.TypeFor[M]()
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: durable receiver %q of %v: not a struct type", modelsignals.ErrNotModel, name, t)
	}
	if fn == nil {
		return nil, fmt.Errorf("%w: durable receiver %q", signals.ErrNilReceiver, name)
	}
	label := modelsignals.LabelOf(t)
	rec := outbox.Receiver{Name: name, Signal: signal, Model: label, Handler: outbox.Typed(fn), Func: funcName(fn)}
	unregister, err := outbox.DefaultRegistry.Register(rec)
	if err != nil {
		return nil, fmt.Errorf("signalsgorm: %w", err)
	}
	w := &durableWriter{name: name, topic: rec.Topic()}
	all := make([]signals.Option, 0, len(opts)+4)
	all = append(all, signals.Mode(ModeDurable), signals.Func(fn), signals.Name(name), signals.CallerSkip(3))
	h, err := connect(w.write, append(all, opts...))
	if err != nil {
		unregister()
		return nil, err
	}
	durableModels.add(t, 1)
	return &DurableHandle{h: h, unregister: unregister, model: t}, nil
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
