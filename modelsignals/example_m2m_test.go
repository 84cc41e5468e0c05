package modelsignals_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
)

type Song struct {
	ID     int
	Genres []Genre
}

type Genre struct{ ID int }

// songGenres stands for the join model an ORM generates for Song.Genres.
type songGenres struct{ SongID, GenreID int }

// A typed many-to-many receiver names its relation by model and field; the
// ORM adapter binds the field to the relation's join model, the sender of
// m2m_changed, and sends the events (here by hand). Connecting the model
// itself as sender is refused: m2m_changed never comes from it.
func ExampleOnM2MChanged() {
	h := modelsignals.OnM2MChanged("Genres", func(ctx context.Context, ev modelsignals.M2M[Song, int]) error {
		fmt.Printf("%v song %d: pk_set %v, removed %v\n", ev.Action, ev.Instance.ID, ev.PKSet, ev.Removed)
		return nil
	})
	defer h.Disconnect()

	// What the adapter does when it learns the relation...
	song, genre, join := reflect.TypeFor[Song](), reflect.TypeFor[Genre](), reflect.TypeFor[songGenres]()
	err := modelsignals.BindM2M(modelsignals.M2MBinding{
		M2MField: modelsignals.M2MField{Model: song, Field: "Genres"},
		Related:  genre, Through: join, Key: reflect.TypeFor[int](), Fields: []string{"Genres"},
	})
	if err != nil {
		fmt.Println(err)
	}
	// ... and when a song's genres 2 and 3 are removed, 3 being linked.
	_ = modelsignals.M2MChanged.Send(context.Background(), join, modelsignals.M2MEvent{
		Action: modelsignals.PostRemove, Instance: &Song{ID: 1}, Field: "Genres",
		PKSet: []any{2, 3}, Removed: []any{3},
	})

	defer func() {
		err := recover().(error)
		fmt.Println(errors.Is(err, modelsignals.ErrM2MSender))
	}()
	modelsignals.M2MChanged.ConnectFunc(func(context.Context, modelsignals.M2MEvent) error { return nil }, signals.Sender(song))
	// Output:
	// post_remove song 1: pk_set [2 3], removed [3]
	// true
}
