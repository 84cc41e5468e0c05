package modelsignals

import (
	"context"

	"github.com/gosignals/signals"
)

// The model signals. Their sender is the model's struct type
// (reflect.TypeFor[Book]()), so that a receiver connected with
// signals.Sender(reflect.TypeFor[Book]()) — or through the typed helpers such
// as [OnPostSave] — hears only about books, and a receiver connected without
// a sender hears about every model.
var (
	// PreInit is sent before a query materialises instances of a model.
	PreInit = signals.New[PreInitEvent]("pre_init")
	// PostInit is sent for every instance a query materialised.
	PostInit = signals.New[PostInitEvent]("post_init")
	// PreSave is sent before an object is written; its receivers may change
	// the object, and an error stops the write.
	PreSave = signals.New[SaveEvent]("pre_save")
	// PostSave is sent after an object was written, inside the transaction.
	PostSave = signals.New[SaveEvent]("post_save")
	// PreDelete is sent before the objects a deletion collected are deleted.
	PreDelete = signals.New[DeleteEvent]("pre_delete")
	// PostDelete is sent after each object was deleted.
	PostDelete = signals.New[DeleteEvent]("post_delete")
	// PreUpdate is sent before an UPDATE that does not go through objects
	// (a conditional or bulk update), with the keys of the rows it affects.
	PreUpdate = signals.New[UpdateEvent]("pre_update")
	// PostUpdate is sent after such an UPDATE.
	PostUpdate = signals.New[UpdateEvent]("post_update")
	// M2MChanged is sent around changes of many-to-many links. Its sender
	// is the join model's type, never a model's: connecting a model type as
	// sender panics (ErrM2MSender). [OnM2MChanged] connects a typed receiver
	// for one relation field.
	M2MChanged = signals.New[M2MEvent]("m2m_changed")
	// ClassPrepared is sent once per model type, when an ORM adapter first
	// learns it.
	ClassPrepared = signals.New[ClassPreparedEvent]("class_prepared")
)

// The database signals. Their sender is the connection alias ("default").
var (
	// PreMigrate is sent before a schema migration, even an empty one.
	PreMigrate = signals.New[MigrateEvent]("pre_migrate")
	// PostMigrate is sent after a schema migration, even an empty one.
	PostMigrate = signals.New[MigrateEvent]("post_migrate")
	// ConnectionCreated is sent when a new physical connection is opened.
	ConnectionCreated = signals.New[ConnectionEvent]("connection_created")
)

// All returns every model and database signal, for muting them together
// (signals.Mute(ctx, modelsignals.All()...)).
func All() []signals.Muter {
	return []signals.Muter{PreInit, PostInit, PreSave, PostSave, PreUpdate, PostUpdate, PreDelete, PostDelete,
		M2MChanged, ClassPrepared, PreMigrate, PostMigrate, ConnectionCreated}
}

// Mute returns a copy of ctx in which every model and database signal is
// silent: bulk imports and data migrations that must not trigger
// receivers. Other goroutines are not affected.
func Mute(ctx context.Context) context.Context {
	return signals.Mute(ctx, All()...)
}
