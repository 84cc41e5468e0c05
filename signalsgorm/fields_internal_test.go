package signalsgorm

import (
	"context"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
)

type memo struct {
	ID    uint
	Title string
}

type otherMemo struct{ ID uint }

// The before/after comparison of pre_save receivers' changes copies the
// object only for a save with update fields of a model with pre_save
// receivers: a model without them (post_save only, or receivers of other
// models) pays nothing.
func TestObjectsAreCopiedOnlyForModelsWithPreSaveReceivers(t *testing.T) {
	m, err := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[memo]()})
	if err != nil {
		t.Fatal(err)
	}
	st := &saveState{stmt: &gorm.Statement{Context: context.Background()}, model: m,
		instances: []reflect.Value{reflect.ValueOf(&memo{ID: 1, Title: "a"})}, fields: []string{"Title"}}
	noop := func(context.Context, modelsignals.SaveEvent) error { return nil }
	check := func(want bool) {
		t.Helper()
		if got := copiesBefore(st) != nil; got != want {
			t.Fatalf("copied: %v, want %v", got, want)
		}
	}
	check(false)
	h1 := modelsignals.PostSave.ConnectFunc(noop, signals.Sender(reflect.TypeFor[memo]()))
	defer h1.Disconnect()
	h2 := modelsignals.PreSave.ConnectFunc(noop, signals.Sender(reflect.TypeFor[otherMemo]()))
	defer h2.Disconnect()
	check(false)
	h3 := modelsignals.PreSave.ConnectFunc(noop, signals.Sender(reflect.TypeFor[memo]()))
	defer h3.Disconnect()
	check(true)
	st.fields = nil // a full save writes every field: nothing to compare
	check(false)
	if n := testing.AllocsPerRun(100, func() { copiesBefore(st) }); n != 0 {
		t.Fatalf("%v allocations without update fields", n)
	}
}

// The select lists of partial loads: the column each item is read into.
func TestSelectedNames(t *testing.T) {
	cases := []struct{ in, table, name string }{
		{"title", "", "title"},
		{" `essays`.`title` ", "essays", "title"},
		{`"essays"."title"`, "essays", "title"},
		{"UPPER(title) AS title", "", "title"},
		{"upper(title) as `title`", "", "title"},
		{"CAST(words AS text)", "", ""},
		{"count(*)", "", ""},
		{"essays.*", "essays", "*"},
	}
	for _, c := range cases {
		if table, name := selectedName(c.in); table != c.table || name != c.name {
			t.Errorf("selectedName(%q) = %q, %q; want %q, %q", c.in, table, name, c.table, c.name)
		}
	}
	got := splitSelect("id, COALESCE(title, 'a,b') AS title, f(x, y)")
	if len(got) != 3 || got[1] != " COALESCE(title, 'a,b') AS title" {
		t.Fatalf("splitSelect: %q", got)
	}
}
