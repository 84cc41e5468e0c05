package modelsignals_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
)

type Article struct {
	ID    int
	Title string
}

type Labeled struct{ ID int }

func (Labeled) ModelLabel() string { return "blog.Post" }

func register[M any](t *testing.T) *modelsignals.Model {
	t.Helper()
	m, err := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[M](), Table: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLabelsAndRegistry(t *testing.T) {
	if got := modelsignals.LabelOf(reflect.TypeFor[*Article]()); got != "modelsignals_test.Article" {
		t.Fatalf("LabelOf = %q", got)
	}
	if got := modelsignals.LabelOf(reflect.TypeFor[Labeled]()); got != "blog.Post" {
		t.Fatalf("LabelOf(Labeled) = %q", got)
	}
	a := register[Article](t)
	if again := register[Article](t); again != a || modelsignals.Lookup(reflect.TypeFor[Article]()) != a {
		t.Fatal("Register is not idempotent")
	}
	if _, err := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[int]()}); !errors.Is(err, modelsignals.ErrNotModel) {
		t.Fatalf("Register(int) = %v", err)
	}
	found := false
	for _, m := range modelsignals.Models() {
		found = found || m == a
	}
	if !found {
		t.Fatal("Models() does not list a registered model")
	}
}

// Typed receivers get their own model only, with a typed instance; catch-all
// receivers get every model.
func TestTypedReceivers(t *testing.T) {
	a := register[Article](t)
	l := register[Labeled](t)
	var got []string
	h1 := modelsignals.OnPostSave(func(_ context.Context, ev modelsignals.Save[Article]) error {
		got = append(got, "typed "+ev.Instance.Title)
		return nil
	})
	h2 := modelsignals.PostSave.ConnectFunc(func(_ context.Context, ev modelsignals.SaveEvent) error {
		got = append(got, "all "+ev.Model.Label)
		return nil
	})
	defer h1.Disconnect()
	defer h2.Disconnect()
	ctx := t.Context()
	_ = modelsignals.PostSave.Send(ctx, a.Type, modelsignals.SaveEvent{Model: a, Instance: &Article{Title: "Go"}})
	_ = modelsignals.PostSave.Send(ctx, l.Type, modelsignals.SaveEvent{Model: l, Instance: &Labeled{}})
	if strings.Join(got, ",") != "typed Go,all modelsignals_test.Article,all blog.Post" {
		t.Fatalf("got %v", got)
	}
	if h1.Info().Sender != reflect.TypeFor[Article]() || !strings.HasSuffix(h1.Info().File, "modelsignals_test.go") {
		t.Fatalf("typed receiver info %+v", h1.Info())
	}
	if !strings.Contains(h1.Info().Func, "TestTypedReceivers") {
		t.Fatalf("Func = %q, want the user's function", h1.Info().Func)
	}
}

// The typed connect functions panic on mistakes in the program, with a
// message that says what is wrong and what to do.
func TestTypedReceiversPanicOnBadInput(t *testing.T) {
	cases := []struct {
		name    string
		connect func()
		want    error
		msg     string
	}{
		{"nil function", func() { modelsignals.OnPreDelete[Article](nil) }, signals.ErrNilReceiver,
			"modelsignals: OnPreDelete: nil function for model modelsignals_test.Article; pass the receiver function"},
		{"pointer model", func() {
			modelsignals.OnPostSave(func(context.Context, modelsignals.Save[*Article]) error { return nil })
		}, modelsignals.ErrNotModel,
			"modelsignals: OnPostSave: model type *modelsignals_test.Article is a pointer; use the struct type modelsignals_test.Article"},
		{"not a struct", func() {
			modelsignals.OnPostInit(func(context.Context, modelsignals.Init[int]) error { return nil })
		}, modelsignals.ErrNotModel,
			"modelsignals: OnPostInit: model type int is not a struct type; use the struct type of the model"},
		{"invalid option", func() {
			modelsignals.OnPreSave(func(context.Context, modelsignals.Save[Article]) error { return nil }, signals.UID(""))
		}, signals.ErrInvalidOption,
			"signals: Connect: invalid option for signal pre_save: empty UID; "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := mustPanic(t, tc.connect)
			if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), tc.msg) {
				t.Fatalf("panic %q (wraps %v: %v), want it to start with %q", err, tc.want, errors.Is(err, tc.want), tc.msg)
			}
		})
	}
}

// mustPanic calls f and returns the error it panicked with, failing the
// test if it did not panic with an error.
func mustPanic(t *testing.T, f func()) (err error) {
	t.Helper()
	defer func() {
		t.Helper()
		var ok bool
		if err, ok = recover().(error); !ok {
			t.Fatal("no panic with an error")
		}
	}()
	f()
	return nil
}

func TestSaveEventUpdates(t *testing.T) {
	full := modelsignals.SaveEvent{}
	some := modelsignals.SaveEvent{UpdateFields: []string{"Title"}}
	if !full.Updates("Title") || !some.Updates("Title") || some.Updates("Body") {
		t.Fatal("Updates")
	}
	if !modelsignals.IsRaw(modelsignals.WithRaw(t.Context())) || modelsignals.IsRaw(t.Context()) {
		t.Fatal("raw")
	}
	if modelsignals.PostAdd.String() != "post_add" || modelsignals.M2MAction(0).String() != "M2MAction(?)" {
		t.Fatal("action names")
	}
	if len(modelsignals.All()) != 13 {
		t.Fatal("All")
	}
}
