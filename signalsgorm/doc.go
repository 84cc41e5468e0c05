// Package signalsgorm sends Django's model signals (package modelsignals)
// from GORM, once per object and with Django's meaning, on SQLite,
// PostgreSQL and MySQL/MariaDB.
//
//	db, _ := gorm.Open(sqlite.Open("app.db"), &gorm.Config{})
//	db.Use(signalsgorm.New())
//
//	modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
//		if ev.Created {
//			return signalsgorm.DB(ctx, db).Create(&Notification{Book: ev.Instance.ID}).Error
//		}
//		return nil
//	})
//
// GORM's own hooks run once per statement, on whatever value was passed
// (often an empty struct); the plugin's callbacks send one event per object.
// [Install] installs the plugin idempotently; db.Use returns
// gorm.ErrRegistered the second time, and nothing is registered twice. Give
// each *gorm.DB its own plugin; [Using] names its alias.
//
// # Save signals
//
// pre_save and post_save are sent for Create, Save, Update/Updates on a
// model value, FirstOrCreate, and for each element of a slice (Create of a
// slice, CreateInBatches), in element order: all pre_save of a statement,
// the write, then all post_save. Related objects GORM saves along with an
// object (its has-one, has-many and many2many values) get their own
// signals; rows GORM only re-links (INSERT ... ON CONFLICT DO NOTHING of an
// object that already has a key) and many2many join rows do not (C85).
//
// Created is true exactly when the row was inserted, including GORM's Save
// of an object whose key is not in the table (an UPDATE matching nothing,
// then an INSERT: one pre_save, one post_save with Created). For upserts of
// objects whose key is set (Save of a slice, Clauses(clause.OnConflict))
// GORM cannot tell per row whether it inserted; Created is then false.
//
// UpdateFields lists the struct fields the caller asked to write: the keys
// of an Updates map, the non-zero fields of an Updates struct, Select and
// Omit; it is nil for a full save (Create, Save). Columns GORM maintains
// itself (UpdatedAt) are not listed. An update that writes nothing sends
// nothing (C53). Select, Omit and map keys naming no field are an error,
// and nothing is written.
//
// Before pre_save of an Update/Updates, the new values are applied to the
// instance (as GORM does after the write anyway), so receivers see the
// object as it will be stored; what pre_save receivers change is written:
// every field for a create or a Save, the fields being updated for an
// update (as with Django's update_fields). For an update of a slice of
// objects, which is one UPDATE for all rows, changes are not written back.
//
// Not sent: for Session{SkipHooks: true}, DryRun, UpdateColumn(s), and for
// conditional updates that load no object (db.Model(&Book{}).Where(...).
// Updates(...)), which are bulk writes.
//
// # Errors and transactions
//
// Receivers run inside GORM's callback chain: pre_save after GORM's
// BeforeSave/BeforeCreate/BeforeUpdate hooks, post_save after its
// AfterCreate/AfterUpdate/AfterSave hooks and before the statement's
// transaction commits. An error from a pre_save receiver stops the
// statement before anything is written and is returned by the GORM call
// (errors.Is finds the receiver's error). An error from a post_save receiver
// is returned too and rolls back the statement's transaction.
//
// This differs from Django on purpose: Django sends post_save after an
// autocommitted save, so an exception in post_save cannot undo it (C60).
// GORM wraps every write in a transaction unless SkipDefaultTransaction is
// set, and a receiver that fails usually means the write should not stand.
// With SkipDefaultTransaction (and outside db.Transaction) there is no
// transaction to roll back, and the row stays written, as in Django.
//
// Receivers that write to the database must use [DB](ctx, db): it returns a
// *gorm.DB on the statement's own transaction, so their writes commit or
// roll back with it. The context receivers get is the statement's
// (db.WithContext), so request-scoped values reach them.
//
// # Reading: pre_init and post_init
//
// post_init is sent for every instance a query materialises: Find, First,
// Take, Last, Raw(...).Find, and the objects Preload loads. Go has no
// constructor, so pre_init is sent once per such query, before it runs, with
// its destination. GORM's Scan reads rows outside its callback chain (no
// plugin can see them); use Find to materialise models, including from
// Raw SQL.
//
// # Models, migrations, connections
//
// class_prepared is sent once per model type, when the plugin first meets
// its schema; [Register] parses models up front, and modelsignals.Models
// lists them. [AutoMigrate] wraps db.AutoMigrate with pre_migrate and
// post_migrate and their plan. modelsignals.OpenDB opens a pool whose new
// connections send connection_created; pass it as the dialector's Conn.
//
// # Raw saves
//
// Saves with a context made by modelsignals.WithRaw have Raw set (fixtures).
//
// # Tracing and explaining
//
// When a statement's context records a trace (signals.StartTrace, passed
// with db.WithContext), the plugin records the SQL each statement runs as a
// step of kind signals.StepSQL ("INSERT INTO `books` ..." with its
// placeholders, "rows=1"), with its duration and error, between the
// signals the statement sends: pre_save, SQL, post_save. What receivers
// write through [DB](ctx, db) nests under them. Statements without a trace
// pay one atomic load per statement for this.
//
// [Plugin.Explain] (or [Explain]) tells, without running anything, what an
// operation on a model would run, in firing order: GORM's hook methods of
// the model (BeforeSave, BeforeCreate, ...), each model signal with the
// receivers it would call (in call order, with where they were connected
// and their delivery mode), and where the SQL runs. For m2m it lists the
// m2m_changed receivers of each many-to-many relation's join model. For a
// deletion it includes the delete collector's plan (the models reached,
// on_delete per relation, fast path or not, and the delete receivers of
// each model reached) when the collector provides one.
package signalsgorm
