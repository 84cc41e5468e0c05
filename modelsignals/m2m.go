package modelsignals

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/gosignals/signals"
)

// M2MField names a many-to-many relation field: the field Field of the
// model struct type Model (Post.Tags). [OnM2MChanged] connects its
// receivers with the M2MField as sender; the ORM adapter, which sends
// m2m_changed with the relation's join model, binds the field to that
// model ([BindM2M]), so that they are called, in order with the join
// model's receivers.
type M2MField struct {
	Model reflect.Type
	Field string
}

// String returns "label.Field" ("shop.Post.Tags").
func (f M2MField) String() string {
	if f.Model == nil {
		return "<nil>." + f.Field
	}
	return LabelOf(f.Model) + "." + f.Field
}

// M2M is the [M2MEvent] of a change of one relation field of model M, with
// the instance typed *M and the keys typed K, the type of the related
// model's key field (or any; a key of several columns is a []any). The
// untyped fields stay in M2MEvent.
type M2M[M, K any] struct {
	M2MEvent
	// Instance is the object whose relation changed.
	Instance *M
	// PKSet is M2MEvent.PKSet typed: the keys added (those not linked
	// before) or given to remove; nil for a clear.
	PKSet []K
	// Removed is M2MEvent.Removed typed: the keys a remove or a clear
	// unlinks.
	Removed []K
}

// OnM2MChanged connects fn to [M2MChanged] for the many-to-many relation
// field named field of model M. M and K are inferred from fn:
//
//	modelsignals.OnM2MChanged("Tags", func(ctx context.Context, ev modelsignals.M2M[Post, uint]) error {
//		if ev.Action == modelsignals.PostAdd {
//			return bump(ctx, ev.PKSet, +1) // ev.Instance is a *Post, ev.PKSet a []uint
//		}
//		return nil
//	})
//
// fn receives the changes made through that field: post.Tags for
// OnM2MChanged[Post]("Tags"); and, when Tag declares the other side
// (Tag.Posts), OnM2MChanged[Tag]("Posts") receives the changes made from
// there, with Reverse set (Django's reverse=True). K is the type of the
// related model's key field, or any.
//
// The relation's sender, its join model, is known to the ORM adapter only:
// fn is connected with [M2MField]{M, field} as sender, and the adapter binds
// that field to the join model ([BindM2M]) before it sends m2m_changed for
// the relation, so that fn is called with the join model's receivers, by
// priority and registration order.
//
// Like [OnPreSave], it panics on mistakes in the program: when M is not a
// struct type ([ErrNotModel]), fn is nil, an option is invalid, or, once
// the adapter knows M's relations, field is not one of them or K is not
// their key type (the error wraps [ErrM2MSender]).
func OnM2MChanged[M, K any](field string, fn func(ctx context.Context, ev M2M[M, K]) error, opts ...signals.Option) *signals.Handle {
	return connectM2M(field, fn, opts)
}

func connectM2M[M, K any](field string, fn func(context.Context, M2M[M, K]) error, opts []signals.Option) *signals.Handle {
	const op = "OnM2MChanged"
	t := modelType[M](op)
	if err := checkTypedM2M(M2MField{t, field}, reflect.TypeFor[K]()); err != nil {
		panic(&registrationError{op: op, err: ErrM2MSender, msg: err.Error()})
	}
	return connectTyped[M](M2MChanged, op, field, fn, func(ctx context.Context, ev M2MEvent) error {
		inst, ok := ev.Instance.(*M)
		if !ok || ev.Field != field {
			return nil // the other side of the relation, sent with the same join model
		}
		pks, err := typedKeys[K](ev.PKSet)
		if err != nil {
			return fmt.Errorf("modelsignals: OnM2MChanged receiver of %v.%s: %w", t, field, err)
		}
		removed, err := typedKeys[K](ev.Removed)
		if err != nil {
			return fmt.Errorf("modelsignals: OnM2MChanged receiver of %v.%s: %w", t, field, err)
		}
		return fn(ctx, M2M[M, K]{M2MEvent: ev, Instance: inst, PKSet: pks, Removed: removed})
	}, opts)
}

// typedKeys returns keys as a []K, nil for nil.
func typedKeys[K any](keys []any) ([]K, error) {
	if keys == nil {
		return nil, nil
	}
	if ks, ok := any(keys).([]K); ok { // K is any
		return ks, nil
	}
	out := make([]K, len(keys))
	for i, k := range keys {
		v, ok := k.(K)
		if !ok {
			return nil, fmt.Errorf("a key is a %T, not a %v; declare the event as M2M[M, %T] (or M2M[M, any])", k, reflect.TypeFor[K](), k)
		}
		out[i] = v
	}
	return out, nil
}

// M2MBinding describes one many-to-many relation field to [BindM2M].
type M2MBinding struct {
	// M2MField is the relation field (Post.Tags).
	M2MField
	// Related is the model on the other side (Tag).
	Related reflect.Type
	// Through is the join model, the sender of the field's m2m_changed
	// events.
	Through reflect.Type
	// Key is the type of PKSet's elements: the related model's key field
	// type ([]any for a key of several columns).
	Key reflect.Type
	// Fields lists every many-to-many relation field of Model, this one
	// included, so that receivers naming another field are refused.
	Fields []string
}

// m2mKnown is what BindM2M was told.
var m2mKnown struct {
	mu       sync.Mutex
	fields   map[M2MField]M2MBinding
	models   map[reflect.Type][]string   // a model → its relation fields
	sides    map[reflect.Type][]M2MField // a related model → the fields it is the other side of
	throughs map[reflect.Type]bool
}

// BindM2M is for ORM adapters: it binds the relation field b.M2MField to
// its join model b.Through, so that the receivers [OnM2MChanged] connected
// for it are called by the sends of m2m_changed from b.Through, and it
// records the relation so that connections with a sender m2m_changed is
// never sent with are refused. An adapter calls it when it first learns a
// relation, and again when the relation's join model changes.
//
// It returns an error wrapping [ErrM2MSender], with the binding made, when
// receivers that were connected before the relation was known can never be
// called: connected with b.Model or b.Related as sender, or with
// OnM2MChanged for a field of b.Model that b.Fields does not list. The
// adapter reports it to the program.
func BindM2M(b M2MBinding) error {
	if b.Model == nil || b.Through == nil || b.Field == "" {
		return fmt.Errorf("modelsignals: BindM2M: incomplete binding %+v; give the model, the field and the join model", b)
	}
	m2mKnown.mu.Lock()
	if m2mKnown.fields == nil {
		m2mKnown.fields = map[M2MField]M2MBinding{}
		m2mKnown.models = map[reflect.Type][]string{}
		m2mKnown.sides = map[reflect.Type][]M2MField{}
		m2mKnown.throughs = map[reflect.Type]bool{}
	}
	m2mKnown.fields[b.M2MField] = b
	m2mKnown.models[b.Model] = slices.Clone(b.Fields)
	if b.Related != nil && !slices.Contains(m2mKnown.sides[b.Related], b.M2MField) {
		m2mKnown.sides[b.Related] = append(slices.Clone(m2mKnown.sides[b.Related]), b.M2MField)
	}
	m2mKnown.throughs[b.Through] = true
	m2mKnown.mu.Unlock()
	signals.NameSender(b.M2MField, b.String())
	M2MChanged.Alias(b.M2MField, b.Through)
	return uncalledM2M(b)
}

// uncalledM2M returns an error naming the m2m_changed receivers that b
// shows can never be called, or nil.
func uncalledM2M(b M2MBinding) error {
	var bad []string
	for _, ri := range M2MChanged.Receivers() {
		var err error
		switch s := ri.Sender.(type) {
		case reflect.Type:
			if s == b.Model || s == b.Related {
				err = checkM2MSender(s)
			}
		case M2MField:
			if s.Model == b.Model {
				err = checkM2MSender(s)
			}
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("receiver %v: %v", ri, err))
		}
	}
	if bad == nil {
		return nil
	}
	return fmt.Errorf("%w: m2m_changed receivers connected before %v was known are never called: %s",
		ErrM2MSender, b.M2MField, strings.Join(bad, "; "))
}

func init() {
	M2MChanged.CheckSenders(checkM2MSender)
}

// senderError is an error of checkM2MSender: it wraps ErrM2MSender, and
// its message says what is wrong and what to do.
type senderError struct{ msg string }

func (e *senderError) Error() string { return e.msg }

func (e *senderError) Unwrap() error { return ErrM2MSender }

func senderErrorf(format string, args ...any) error {
	return &senderError{fmt.Sprintf(format, args...)}
}

// checkM2MSender refuses the senders m2m_changed is known never to be sent
// with: the models of known relations, and relation fields they lack.
func checkM2MSender(sender any) error {
	switch s := sender.(type) {
	case M2MField:
		return checkM2MField(s)
	case reflect.Type:
		return checkM2MModel(s)
	}
	return nil
}

// checkTypedM2M checks the field and the key type of a typed receiver.
func checkTypedM2M(f M2MField, k reflect.Type) error {
	if err := checkM2MField(f); err != nil {
		return err
	}
	m2mKnown.mu.Lock()
	b, ok := m2mKnown.fields[f]
	m2mKnown.mu.Unlock()
	if ok && b.Key != nil && k != b.Key && k != reflect.TypeFor[any]() {
		return senderErrorf("the keys of %v are %v, not %v; declare the event as modelsignals.M2M[%v, %v] (or M2M[%v, any])",
			f, b.Key, k, f.Model, b.Key, f.Model)
	}
	return nil
}

func checkM2MField(f M2MField) error {
	if f.Model == nil || f.Model.Kind() != reflect.Struct {
		return senderErrorf("M2MField %v has no model struct type; give the model's struct type", f)
	}
	if f.Field == "" {
		return senderErrorf("empty relation field for model %v; name the many-to-many field, such as \"Tags\"", f.Model)
	}
	m2mKnown.mu.Lock()
	fields, known := m2mKnown.models[f.Model]
	m2mKnown.mu.Unlock()
	if known && !slices.Contains(fields, f.Field) {
		return senderErrorf("%v has no many-to-many relation field %q; its many-to-many fields: %s", f.Model, f.Field, quoted(fields))
	}
	return nil
}

func checkM2MModel(t reflect.Type) error {
	m2mKnown.mu.Lock()
	defer m2mKnown.mu.Unlock()
	if m2mKnown.throughs[t] {
		return nil
	}
	var use M2MField
	if fields := m2mKnown.models[t]; len(fields) > 0 {
		use = M2MField{t, fields[0]}
	} else if sides := m2mKnown.sides[t]; len(sides) > 0 {
		use = sides[0]
	} else {
		return nil // not known as a model of a many-to-many relation
	}
	key := "K"
	if b, ok := m2mKnown.fields[use]; ok && b.Key != nil {
		key = b.Key.String()
	}
	return senderErrorf("m2m_changed is sent with a relation's join model, never with the model %v; "+
		"connect with modelsignals.OnM2MChanged(%q, func(ctx context.Context, ev modelsignals.M2M[%v, %s]) error) for the changes of %v, "+
		"or with signals.Sender(through.Type), the join model the ORM adapter gives (signalsgorm.Through)",
		t, use.Field, use.Model, key, use)
}

func quoted(fields []string) string {
	if len(fields) == 0 {
		return "none"
	}
	q := make([]string, len(fields))
	for i, f := range fields {
		q[i] = fmt.Sprintf("%q", f)
	}
	return strings.Join(q, ", ")
}
