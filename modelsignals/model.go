package modelsignals

import (
	"context"
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/gosignals/signals"
)

// Model describes a model type: the sender of its model signals and the
// label catch-all receivers see. Models are registered once per type, by the
// ORM adapter that first learns them (see [Register]); a *Model is shared and
// must not be modified.
type Model struct {
	// Type is the model's struct type (Book, not *Book). It is the sender of
	// the model's signals.
	Type reflect.Type
	// Label is "package.Type" (for example "shop.Book"), or what the type's
	// ModelLabel method returns; see [LabelOf].
	Label string
	// Table is the model's table, as the ORM maps it ("" if unknown).
	Table string
}

func (m *Model) String() string {
	if m == nil {
		return "<nil model>"
	}
	return m.Label
}

// Labeler lets a model choose its label, like Django's app_label.Model.
// Give a label to the models whose events outlive the process (durable
// receivers' envelopes name their model by label) when their package may
// be renamed or moved.
type Labeler interface {
	ModelLabel() string
}

// LabelOf returns the label of the model struct type t: the result of its
// ModelLabel method if it has one and it is not empty, otherwise the name
// of t's package, as its package clause declares it, and the type's name:
// "shop.Book".
//
// The package's name, not its import path, makes the label the same in
// every build of a program: a type of package main is "main.Post" under
// go run and go build, and under go test too, where the package is compiled
// with its import path ("example.com/app/cmd/app"); a package in a
// directory "v2" or "go-shop" declaring "package shop" gives "shop.Book".
// Types of two packages with the same name share their labels: give one of
// them a ModelLabel method.
func LabelOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if l, ok := reflect.New(t).Interface().(Labeler); ok {
		if label := l.ModelLabel(); label != "" {
			return label
		}
	}
	return defaultLabel(t.PkgPath(), t.String(), t.Name())
}

// defaultLabel is the label of a type whose import path is pkgPath, whose
// reflect String is str ("pkgname.Name", the package clause's name) and
// whose name is name. The import path is not used: it is "main" for
// package main under go run and go build, and the package's import path
// under go test.
func defaultLabel(pkgPath, str, name string) string {
	if pkgPath == "" || name == "" {
		return str // an unnamed or predeclared type
	}
	if pkg, ok := strings.CutSuffix(str, "."+name); ok && pkg != "" && !strings.ContainsAny(pkg, "[]") {
		return pkg + "." + name
	}
	return path.Base(pkgPath) + "." + name
}

var registry struct {
	mu     sync.Mutex
	byType sync.Map // reflect.Type → *Model
	order  []*Model
}

// Lookup returns the registered model of type t (a struct type), or nil.
func Lookup(t reflect.Type) *Model {
	m, _ := registry.byType.Load(t)
	mm, _ := m.(*Model)
	return mm
}

// Register records m as the model of m.Type and sends [ClassPrepared] for it,
// once: if a model of that type is already registered, Register returns it
// and sends nothing. Label defaults to [LabelOf]. It is called by ORM
// adapters when they first parse a model; applications rarely need it.
//
// ClassPrepared is sent after the model is registered, outside any lock,
// so its receivers may use the registry and the ORM (which may register
// further models).
func Register(m Model) (*Model, error) {
	return RegisterContext(context.Background(), m)
}

// RegisterContext is [Register] sending class_prepared with ctx (so that a
// trace or a muting in ctx applies to it).
func RegisterContext(ctx context.Context, m Model) (*Model, error) {
	if m.Type == nil || m.Type.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: %v", ErrNotModel, m.Type)
	}
	if old := Lookup(m.Type); old != nil {
		return old, nil
	}
	registry.mu.Lock()
	if old := Lookup(m.Type); old != nil {
		registry.mu.Unlock()
		return old, nil
	}
	if m.Label == "" {
		m.Label = LabelOf(m.Type)
	}
	mm := &m
	registry.byType.Store(m.Type, mm)
	signals.NameSender(m.Type, m.Label)
	registry.order = append(registry.order, mm)
	registry.mu.Unlock()
	// class_prepared is informational: a failing receiver is logged by
	// SendRobust and does not undo the registration.
	_ = ClassPrepared.SendRobust(ctx, m.Type, ClassPreparedEvent{Model: mm})
	return mm, nil
}

// ByLabel returns the registered model with the given label, or nil.
func ByLabel(label string) *Model {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	for _, m := range registry.order {
		if m.Label == label {
			return m
		}
	}
	return nil
}

// Models returns the registered models, sorted by label.
func Models() []*Model {
	registry.mu.Lock()
	out := append([]*Model(nil), registry.order...)
	registry.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// modelType returns the struct type M, or panics, in the name of op, with
// an error that says why M is not a model type and wraps ErrNotModel.
func modelType[M any](op string) reflect.Type {
	t := reflect.TypeFor[M]()
	switch {
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		panic(&registrationError{op: op, err: ErrNotModel,
			msg: fmt.Sprintf("model type %v is a pointer; use the struct type %v", t, t.Elem())})
	case t.Kind() != reflect.Struct:
		panic(&registrationError{op: op, err: ErrNotModel,
			msg: fmt.Sprintf("model type %v is not a struct type; use the struct type of the model", t)})
	}
	return t
}
