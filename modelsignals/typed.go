package modelsignals

import (
	"context"
	"fmt"
	"reflect"

	"github.com/gosignals/signals"
)

// Save is the [SaveEvent] of model M, with its instance typed.
type Save[M any] struct {
	SaveEvent
	Instance *M
}

// Delete is the [DeleteEvent] of model M, with its instance typed.
type Delete[M any] struct {
	DeleteEvent
	Instance *M
}

// Init is the [PostInitEvent] of model M, with its instance typed.
type Init[M any] struct {
	PostInitEvent
	Instance *M
}

// OnPreSave connects fn to [PreSave] for model M (a struct type, inferred
// from fn): fn receives only M's saves, with a typed *M. Like
// [signals.Signal.Connect], it panics on mistakes in the program: when M is
// not a struct type (the error wraps [ErrNotModel]), fn is nil or an option
// is invalid; the message says what is wrong and what to do.
func OnPreSave[M any](fn func(ctx context.Context, ev Save[M]) error, opts ...signals.Option) *signals.Handle {
	return connectSave(PreSave, "OnPreSave", fn, opts)
}

// OnPostSave connects fn to [PostSave] for model M, like [OnPreSave].
func OnPostSave[M any](fn func(ctx context.Context, ev Save[M]) error, opts ...signals.Option) *signals.Handle {
	return connectSave(PostSave, "OnPostSave", fn, opts)
}

// OnPreDelete connects fn to [PreDelete] for model M, like [OnPreSave].
func OnPreDelete[M any](fn func(ctx context.Context, ev Delete[M]) error, opts ...signals.Option) *signals.Handle {
	return connectDelete(PreDelete, "OnPreDelete", fn, opts)
}

// OnPostDelete connects fn to [PostDelete] for model M, like [OnPreSave].
func OnPostDelete[M any](fn func(ctx context.Context, ev Delete[M]) error, opts ...signals.Option) *signals.Handle {
	return connectDelete(PostDelete, "OnPostDelete", fn, opts)
}

// OnPostInit connects fn to [PostInit] for model M, like [OnPreSave].
func OnPostInit[M any](fn func(ctx context.Context, ev Init[M]) error, opts ...signals.Option) *signals.Handle {
	return connectInit(fn, opts)
}

// connectTyped connects conv∘fn to sig for sender M, or for the relation
// field [M2MField]{M, field} when field is not empty. The frames between
// the user's call and connectTyped are skipped when recording the location.
func connectTyped[M, E any](sig *signals.Signal[E], op, field string, fn any, recv func(context.Context, E) error, opts []signals.Option) *signals.Handle {
	t := modelType[M](op)
	if isNilFunc(fn) {
		panic(&registrationError{op: op, err: signals.ErrNilReceiver,
			msg: fmt.Sprintf("nil function for model %v; pass the receiver function", t)})
	}
	var sender any = t
	if field != "" {
		sender = M2MField{t, field}
	}
	all := append([]signals.Option{signals.Sender(sender), signals.Func(fn), signals.CallerSkip(3)}, opts...)
	return sig.Connect(signals.ReceiverFunc[E](recv), all...)
}

func connectSave[M any](sig *signals.Signal[SaveEvent], op string, fn func(context.Context, Save[M]) error, opts []signals.Option) *signals.Handle {
	return connectTyped[M](sig, op, "", fn, func(ctx context.Context, ev SaveEvent) error {
		inst, ok := ev.Instance.(*M)
		if !ok {
			return nil
		}
		return fn(ctx, Save[M]{SaveEvent: ev, Instance: inst})
	}, opts)
}

func connectDelete[M any](sig *signals.Signal[DeleteEvent], op string, fn func(context.Context, Delete[M]) error, opts []signals.Option) *signals.Handle {
	return connectTyped[M](sig, op, "", fn, func(ctx context.Context, ev DeleteEvent) error {
		inst, ok := ev.Instance.(*M)
		if !ok {
			return nil
		}
		return fn(ctx, Delete[M]{DeleteEvent: ev, Instance: inst})
	}, opts)
}

func connectInit[M any](fn func(context.Context, Init[M]) error, opts []signals.Option) *signals.Handle {
	return connectTyped[M](PostInit, "OnPostInit", "", fn, func(ctx context.Context, ev PostInitEvent) error {
		inst, ok := ev.Instance.(*M)
		if !ok {
			return nil
		}
		return fn(ctx, Init[M]{PostInitEvent: ev, Instance: inst})
	}, opts)
}

func isNilFunc(fn any) bool {
	v := reflect.ValueOf(fn)
	return !v.IsValid() || v.Kind() == reflect.Func && v.IsNil()
}
