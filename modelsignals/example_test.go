package modelsignals_test

import (
	"context"
	"fmt"
	"reflect"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
)

type Book struct {
	ID    int
	Title string
}

// A typed receiver gets its own model's events, with the instance typed. An
// ORM adapter sends the events; here we send one by hand.
func ExampleOnPreSave() {
	h := modelsignals.OnPreSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
		if ev.Instance.Title == "" {
			ev.Instance.Title = "Untitled"
		}
		return nil
	})
	defer h.Disconnect()

	m, _ := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[Book](), Table: "books"})
	b := &Book{}
	_ = modelsignals.PreSave.Send(context.Background(), m.Type, modelsignals.SaveEvent{Model: m, Instance: b})
	fmt.Println(b.Title)
	// Output: Untitled
}

// Muting every model signal for a bulk import: the context decides, so
// other goroutines keep their receivers.
func ExampleAll() {
	h := modelsignals.PostSave.ConnectFunc(func(ctx context.Context, ev modelsignals.SaveEvent) error {
		fmt.Println("indexing", ev.Model)
		return nil
	})
	defer h.Disconnect()
	m, _ := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[Book]()})

	quiet := signals.Mute(context.Background(), modelsignals.All()...)
	_ = modelsignals.PostSave.Send(quiet, m.Type, modelsignals.SaveEvent{Model: m})
	_ = modelsignals.PostSave.Send(context.Background(), m.Type, modelsignals.SaveEvent{Model: m})
	// Output: indexing modelsignals_test.Book
}
