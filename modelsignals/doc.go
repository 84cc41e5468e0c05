// Package modelsignals is the ORM-neutral vocabulary of Django's model
// signals: pre_init, post_init, pre_save, post_save, pre_delete, post_delete,
// m2m_changed, class_prepared, pre_migrate, post_migrate and
// connection_created, as [signals.Signal] values with one event struct each.
//
// ORM adapters (signalsgorm for GORM) send them; applications connect to
// them. Nothing here depends on an ORM.
//
// # Receivers
//
// The signals' sender is the model's struct type, so the typed helpers give
// a receiver its own model, with no type assertion:
//
//	modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[shop.Book]) error {
//		if ev.Created {
//			return notify(ctx, "new book: "+ev.Instance.Title) // ev.Instance is a *shop.Book
//		}
//		return nil
//	})
//
// A receiver connected to the signal itself, without a sender, sees every
// model, with its [Model] (label "shop.Book") and the instance as an any:
//
//	modelsignals.PostSave.ConnectFunc(func(ctx context.Context, ev modelsignals.SaveEvent) error {
//		return audit(ctx, ev.Model.Label, ev.Instance)
//	})
//
// m2m_changed's sender is a relation's join model, which only the ORM
// adapter knows; [OnM2MChanged] names the relation by model and field
// instead, with typed keys, and the adapter binds it to the join model
// ([BindM2M]):
//
//	modelsignals.OnM2MChanged("Tags", func(ctx context.Context, ev modelsignals.M2M[shop.Book, uint]) error {
//		return reindex(ctx, ev.Instance, ev.PKSet) // a *shop.Book, a []uint
//	})
//
// The typed helpers accept the options of [signals.Signal.Connect] (UID,
// Priority, Name) and return a handle to disconnect. Like Connect, they
// panic on mistakes in the program (a model type that is not a struct, a
// nil function, an invalid option) with a message that says what to do.
//
// # Arguments
//
// The events carry Django's arguments, adapted to Go:
//
//	pre_init       Model, Dest (what the query scans into), Using
//	post_init      Model, Instance, Using
//	pre_save       Model, Instance, Raw, Using, UpdateFields
//	post_save      Model, Instance, Created, Raw, Using, UpdateFields
//	pre_delete     Model, Instance, Using, Origin
//	post_delete    Model, Instance, Using, Origin
//	m2m_changed    Action, Through, Instance, Model, Field, Reverse, Related, PKSet, Removed, Using
//	class_prepared Model
//	pre_migrate    Using, Models, Plan
//	post_migrate   Using, Models, Plan
//	connection_created Using, Conn
//
// UpdateFields is a sorted slice of struct field names, nil for a full
// save, where Django has a frozenset or None. Removed, the keys a remove
// or a clear unlinks, has no Django equivalent.
//
// # pre_init in Go
//
// Django sends pre_init at the start of Model.__init__, with the
// constructor's arguments. Go has no constructors: rows are read into zero
// structs the program allocated. pre_init is therefore sent once per query
// that is about to materialise instances of a model, with the destination,
// before any row is read; post_init is sent once per instance after its
// fields are read (and for every object a query preloads).
//
// # Models
//
// An adapter registers each model the first time it meets it ([Register]),
// which sends class_prepared once per type; [Models] lists them. A model's
// label is its package's name and its type's name ("shop.Book"; "main.Post"
// for package main, under go run and go test alike), or what its ModelLabel
// method returns ([LabelOf]), and [ByLabel] finds a model from it (a label
// read from an outbox envelope, for example).
//
// # Raw saves
//
// [WithRaw] marks a context as loading data as stored (fixtures, restores):
// save events then have Raw set, Django's raw=True.
//
// # Connections
//
// [OpenDB] opens a database/sql pool whose new physical connections send
// connection_created, with [ConnectionEvent.Exec] to run session set-up on
// them.
//
// # Muting
//
// [All] lists every signal of this package, to mute them together with
// signals.Mute (bulk imports, tests).
//
// # Guides
//
// The repository's docs/ folder tells the whole story of the model signals
// with the GORM plugin: docs/coming-from-django.md for Django users,
// docs/transactions.md for transactions and on_commit, docs/deletion.md
// for the cascade and its pre_delete and post_delete, docs/m2m.md for
// m2m_changed and docs/durable.md for durable receivers.
package modelsignals
