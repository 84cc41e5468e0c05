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

type Shop struct{ ID int }
type Item struct{ ID int }
type shopItems struct{ ShopID, ItemID int }

// Receivers connected before the relation was known, with its model as
// sender or for a field the model lacks, are reported by BindM2M, which
// binds anyway; once bound, such connections panic.
func TestBindM2MReportsUncalledReceivers(t *testing.T) {
	nop := func(context.Context, modelsignals.M2MEvent) error { return nil }
	shop, item, join := reflect.TypeFor[Shop](), reflect.TypeFor[Item](), reflect.TypeFor[shopItems]()
	h1 := modelsignals.M2MChanged.ConnectFunc(nop, signals.Sender(item), signals.Name("by item"))
	h2 := modelsignals.OnM2MChanged("Item", func(context.Context, modelsignals.M2M[Shop, int]) error { return nil }, signals.Name("typo"))
	var got []int
	h3 := modelsignals.OnM2MChanged("Items", func(_ context.Context, ev modelsignals.M2M[Shop, int]) error {
		got = append(got, ev.PKSet...)
		return nil
	})
	defer h3.Disconnect()
	b := modelsignals.M2MBinding{M2MField: modelsignals.M2MField{Model: shop, Field: "Items"},
		Related: item, Through: join, Key: reflect.TypeFor[int](), Fields: []string{"Items"}}
	err := modelsignals.BindM2M(b)
	if !errors.Is(err, modelsignals.ErrM2MSender) || !strings.Contains(err.Error(), "receiver by item (") ||
		!strings.Contains(err.Error(), "receiver typo (") || !strings.Contains(err.Error(), `has no many-to-many relation field "Item"`) {
		t.Fatalf("BindM2M = %v", err)
	}
	h1.Disconnect()
	h2.Disconnect()
	if err := modelsignals.BindM2M(b); err != nil {
		t.Fatalf("BindM2M with the receivers gone = %v", err)
	}
	// Bound: the typed receiver gets the join model's sends.
	if err := modelsignals.M2MChanged.Send(t.Context(), join, modelsignals.M2MEvent{Action: modelsignals.PostAdd,
		Instance: &Shop{ID: 1}, Field: "Items", PKSet: []any{4, 5}}); err != nil || len(got) != 2 {
		t.Fatalf("send: %v, got %v", err, got)
	}
	for _, connect := range []func(){
		func() { modelsignals.M2MChanged.ConnectFunc(nop, signals.Sender(item)) },
		func() { modelsignals.M2MChanged.ConnectFunc(nop, signals.Sender(shop)) },
		func() {
			modelsignals.OnM2MChanged("Item", func(context.Context, modelsignals.M2M[Shop, int]) error { return nil })
		},
	} {
		if err := mustPanic(t, connect); !errors.Is(err, modelsignals.ErrM2MSender) {
			t.Fatalf("panic %v", err)
		}
	}
	if err := modelsignals.BindM2M(modelsignals.M2MBinding{}); err == nil || errors.Is(err, modelsignals.ErrM2MSender) {
		t.Fatalf("BindM2M of nothing = %v", err)
	}
}

// Keys of another type than K, which only a send can tell when the adapter
// gave no key type, fail the send with an error naming the type to use.
func TestOnM2MChangedKeyTypeAtSend(t *testing.T) {
	type tagged struct{ ID int }
	h := modelsignals.OnM2MChanged("Tags", func(context.Context, modelsignals.M2M[tagged, string]) error { return nil })
	defer h.Disconnect()
	sender := modelsignals.M2MField{Model: reflect.TypeFor[tagged](), Field: "Tags"}
	err := modelsignals.M2MChanged.Send(t.Context(), sender, modelsignals.M2MEvent{Action: modelsignals.PreAdd,
		Instance: &tagged{}, Field: "Tags", PKSet: []any{int64(7)}})
	if err == nil || !strings.Contains(err.Error(), "a key is a int64, not a string; declare the event as M2M[M, int64]") {
		t.Fatalf("send = %v", err)
	}
	if s := sender.String(); s != "modelsignals_test.tagged.Tags" {
		t.Fatalf("String = %q", s)
	}
}

func TestOnM2MChangedPanicsOnBadInput(t *testing.T) {
	cases := []struct {
		name    string
		connect func()
		want    error
		msg     string
	}{
		{"empty field", func() {
			modelsignals.OnM2MChanged("", func(context.Context, modelsignals.M2M[Article, int]) error { return nil })
		}, modelsignals.ErrM2MSender, `modelsignals: OnM2MChanged: empty relation field for model modelsignals_test.Article; name the many-to-many field, such as "Tags"`},
		{"nil function", func() { modelsignals.OnM2MChanged[Article, int]("Tags", nil) }, signals.ErrNilReceiver,
			"modelsignals: OnM2MChanged: nil function for model modelsignals_test.Article"},
		{"pointer model", func() {
			modelsignals.OnM2MChanged("Tags", func(context.Context, modelsignals.M2M[*Article, int]) error { return nil })
		}, modelsignals.ErrNotModel, "modelsignals: OnM2MChanged: model type *modelsignals_test.Article is a pointer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := mustPanic(t, tc.connect)
			if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), tc.msg) {
				t.Fatalf("panic %q, want %v and a message starting with %q", err, tc.want, tc.msg)
			}
		})
	}
}
