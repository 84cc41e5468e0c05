package signalsgorm

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

type planAuthor struct {
	ID    uint
	Books []planBook `gorm:"foreignKey:AuthorID;constraint:OnDelete:CASCADE"`
}

type planBook struct {
	ID       uint
	AuthorID uint
}

type planLog struct{ ID uint }

// The delete collector plugs its plan into Explain through deletePlanner:
// Explain adds, for every model the plan reaches other than by the fast
// path, the receivers its rows would get.
func TestExplainUsesTheCollectorPlan(t *testing.T) {
	db := dbtest.OpenConfig(t, "sqlite", dbtest.Config())
	if err := db.Use(New()); err != nil {
		t.Fatal(err)
	}
	author := &modelsignals.Model{Type: reflect.TypeFor[planAuthor](), Label: "x.Author"}
	book := &modelsignals.Model{Type: reflect.TypeFor[planBook](), Label: "x.Book"}
	logm := &modelsignals.Model{Type: reflect.TypeFor[planLog](), Label: "x.Log"}
	var asked any
	deletePlanner = func(p *Plugin, model any) (*CascadePlan, error) {
		asked = model
		if _, ok := model.(*planLog); ok {
			return nil, errors.New("no plan")
		}
		return &CascadePlan{Reached: []CascadeStep{
			{Model: author, OnDelete: "CASCADE"},
			{Depth: 1, Model: book, Via: "Author.Books", OnDelete: "CASCADE"},
			{Depth: 1, Model: logm, Via: "Author.Logs", OnDelete: "CASCADE", FastPath: true},
		}}, nil
	}
	t.Cleanup(func() { deletePlanner = nil })
	nop := func(context.Context, modelsignals.DeleteEvent) error { return nil }
	hs := []*signals.Handle{
		modelsignals.PreDelete.ConnectFunc(nop, signals.Name("book pre"), signals.Sender(book.Type)),
		modelsignals.PostDelete.ConnectFunc(nop, signals.Name("log post"), signals.Sender(logm.Type)),
		modelsignals.PostDelete.ConnectFunc(nop, signals.Name("every post")),
	}
	t.Cleanup(func() {
		for _, h := range hs {
			h.Disconnect()
		}
	})

	a := &planAuthor{}
	x, err := From(db).Explain(a, OpDelete)
	if err != nil {
		t.Fatal(err)
	}
	if asked != a || x.Cascade == nil || len(x.Cascade.Reached) != 3 {
		t.Fatalf("plan asked for %v, cascade %+v", asked, x.Cascade)
	}
	names := func(rs []signals.ReceiverInfo) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return strings.Join(out, ",")
	}
	got := []string{}
	for _, c := range x.Cascade.Reached {
		got = append(got, c.Model.Label+" pre="+names(c.PreDelete)+" post="+names(c.PostDelete))
	}
	want := []string{
		"x.Author pre= post=every post",
		"x.Book pre=book pre post=every post",
		"x.Log pre= post=", // fast path: its rows get no signals
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("cascade receivers:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if s := x.String(); !strings.Contains(s, "\n    - x.Book via Author.Books, on delete CASCADE, fast path false") ||
		!strings.Contains(s, "  - x.Author (deleted), fast path false\n") || !strings.Contains(s, "pre_delete: book pre") {
		t.Fatalf("String():\n%s", s)
	}
	for _, n := range x.Notes {
		if strings.Contains(n, "no delete collector plan") {
			t.Fatal("the no-plan note is given with a plan")
		}
	}

	if _, err := From(db).Explain(&planLog{}, OpDelete); err == nil || !strings.Contains(err.Error(), "delete plan of") {
		t.Fatalf("a planner error must be returned, wrapped: %v", err)
	}
}
