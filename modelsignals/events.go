package modelsignals

import (
	"context"
	"database/sql/driver"
	"slices"
)

// PreInitEvent is sent by [PreInit] before a query materialises instances of
// a model.
type PreInitEvent struct {
	Model *Model
	// Dest is what the query scans into: a pointer to a struct or to a slice
	// of them. Its values are not read yet.
	Dest  any
	Using string
}

// PostInitEvent is sent by [PostInit] for each instance a query
// materialised, after its fields were read and before the caller sees it.
type PostInitEvent struct {
	Model *Model
	// Instance is a pointer to the model struct (*Book).
	Instance any
	Using    string
}

// SaveEvent is sent by [PreSave] and [PostSave] for each object saved.
type SaveEvent struct {
	Model *Model
	// Instance is a pointer to the model struct (*Book). During pre_save it
	// may be changed, and the changes are written.
	Instance any
	// Created is set in post_save when the row was inserted.
	Created bool
	// Raw is set for saves of fixtures and other data loaded as stored, when
	// receivers should not derive or alter anything (see [WithRaw]).
	Raw bool
	// Using is the alias of the database connection.
	Using string
	// UpdateFields lists the names of the struct fields the write was
	// restricted to, sorted, or is nil for a full save (every field).
	UpdateFields []string
	// Changes lists the fields whose value differs from the one loaded
	// (or last saved), with old and new values, when the adapter tracks
	// the model's changes; for a created object, the fields set to a
	// non-zero value. See [SaveEvent.Changed].
	Changes Changes
}

// Updates reports whether the save writes the struct field name: true for a
// full save, or when UpdateFields lists it.
func (e SaveEvent) Updates(name string) bool {
	return e.UpdateFields == nil || slices.Contains(e.UpdateFields, name)
}

// DeleteEvent is sent by [PreDelete] and [PostDelete] for each object
// deleted, including those a cascade removes.
type DeleteEvent struct {
	Model *Model
	// Instance is a pointer to the model struct, with its fields loaded.
	Instance any
	Using    string
	// Origin is what started the deletion, the same for every object it
	// removes: the instance (or slice) passed to delete, or a *[Query] for a
	// conditional delete.
	Origin any
	// Soft is set when the row is kept and only marked deleted (a soft
	// delete, which can be undone): receivers that remove what belongs to
	// the object for good (files, remote resources) should wait for a hard
	// delete.
	Soft bool
}

// UpdateEvent is sent by [PreUpdate] and [PostUpdate] for an UPDATE that
// does not go through objects: a conditional update, a column update that
// skips hooks, or the update of a batch of objects. Django sends nothing for
// QuerySet.update() (ticket #22543); this is that missing signal.
type UpdateEvent struct {
	Model *Model
	// Query is the condition of the update (Where is "" for an update by
	// primary keys only).
	Query *Query
	// Values maps the struct field names written to their values (SQL
	// expressions appear as given).
	Values map[string]any
	// PKs lists the primary keys of the rows the update affects (a single
	// key per row; a slice of values per row for composite keys), read in
	// the same transaction before the update.
	PKs []any
	// RowsAffected is the number of rows the database reports (post_update
	// only).
	RowsAffected int64
	Using        string
}

// Query describes a conditional operation on a model, as an [DeleteEvent]
// Origin or a bulk update.
type Query struct {
	Model *Model
	// Where is the condition in the database's SQL dialect, and Args its
	// arguments.
	Where string
	Args  []any
}

// M2MAction is the action of an [M2MEvent].
type M2MAction uint8

// The m2m_changed actions.
const (
	PreAdd M2MAction = iota + 1
	PostAdd
	PreRemove
	PostRemove
	PreClear
	PostClear
)

var actionNames = [...]string{"", "pre_add", "post_add", "pre_remove", "post_remove", "pre_clear", "post_clear"}

func (a M2MAction) String() string {
	if int(a) < len(actionNames) && a != 0 {
		return actionNames[a]
	}
	return "M2MAction(?)"
}

// M2MEvent is sent by [M2MChanged] when the links of a many-to-many relation
// change.
type M2MEvent struct {
	Action M2MAction
	// Through is the join model (the sender): a custom join model, or the one
	// the ORM generates for the join table.
	Through *Model
	// Instance is the object whose relation was changed (*Post for
	// post.Tags), and Model its model.
	Instance any
	Model    *Model
	// Field is the name of the relation field used ("Tags").
	Field string
	// Reverse is false when the relation was used from the model that
	// declares it, true from the other side.
	Reverse bool
	// Related is the model on the other side (Tag for post.Tags).
	Related *Model
	// PKSet holds the primary keys of the related objects: for add, those
	// not linked before (possibly empty); for remove, every key given; nil
	// for clear, as in Django. Each key appears once, in the order given
	// (Django's is a set); a key of several columns is a []any.
	PKSet []any
	// Removed holds the keys the action unlinks, which Django users cannot
	// get: for pre_remove and post_remove, those of PKSet that were linked
	// (possibly none), in PKSet's order; for pre_clear and post_clear, every
	// key the clear unlinks; nil for add. A counter subtracts Removed for
	// both.
	Removed []any
	Using   string
}

// ClassPreparedEvent is sent by [ClassPrepared] once per model type.
type ClassPreparedEvent struct {
	Model *Model
}

// MigrateEvent is sent by [PreMigrate] and [PostMigrate] around a schema
// migration.
type MigrateEvent struct {
	Using string
	// Models are the models being migrated.
	Models []*Model
	// Plan lists what the migration does (pre_migrate) or did
	// (post_migrate); it is empty when there is nothing to do, and the
	// signals are sent anyway.
	Plan []MigrationStep
}

// MigrationStep is one step of a migration plan.
type MigrationStep struct {
	Model *Model
	Table string
	// Action is "create_table" or "add_columns".
	Action string
	// Columns lists the columns added by "add_columns".
	Columns []string
}

// ConnectionEvent is sent by [ConnectionCreated] when a new physical
// database connection has been opened, before it is used.
type ConnectionEvent struct {
	Using string
	// Conn is the driver's connection. [ConnectionEvent.Exec] runs a
	// statement on it (a PRAGMA, a SET).
	Conn driver.Conn
}

// Exec runs query on the new connection, for session set-up.
func (e ConnectionEvent) Exec(ctx context.Context, query string, args ...any) error {
	return execConn(ctx, e.Conn, query, args)
}
