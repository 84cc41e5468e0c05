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
// # Many-to-many: m2m_changed
//
// m2m_changed is sent for many2many relations changed through GORM's own
// API, written as usual; GORM passes no action and no keys, and the plugin
// supplies Django's:
//
//	db.Model(&post).Association("Tags").Append(&go, &sql)  // pre_add, post_add: keys not linked before
//	db.Model(&post).Association("Tags").Delete(&go)        // pre_remove, post_remove: every key given
//	db.Model(&post).Association("Tags").Clear()            // pre_clear, post_clear: PKSet nil, Removed
//	db.Model(&post).Association("Tags").Replace(&sql, &k8s)
//	db.Create(&Post{Tags: tags})                           // pre_add, post_add for the links written
//
// The sender is the relation's join model, which [Through] returns:
//
//	through, _ := signalsgorm.Through(db, &Post{}, "Tags")
//	modelsignals.M2MChanged.ConnectFunc(recv, signals.Sender(through.Type))
//
// It is the custom join model when db.SetupJoinTable gave one, otherwise
// the struct type GORM generates for the join table (label
// "pkg.Post_Tags"); a relation declared on both models over one join table
// has one join model for both sides.
//
// As in Django: Append reports the keys it links that were not linked
// before, and sends its signals even when that set is empty (C73); Append
// of objects not stored yet creates them first, with their own save
// signals (C81). Delete reports every key given, linked or not (C76).
// Clear sends pk_set nil, even for an empty relation (C77); Removed, which
// Django users cannot get, holds the keys it unlinks. Replace reports a
// remove of the old keys not in the new set and an add of the new keys not
// in the old one, each only when not empty, so replacing with the same set
// sends nothing (C79); Replace with no values removes every link (Django's
// set([])). Creating or saving an object whose many2many field is filled
// sends an add for the links that are new, and nothing when none is.
// Keys are typed like the related model's key field; for a slice of
// owners, one pre_* event per owner is sent, then the write, then one
// post_* per owner.
//
// Instance is the object the relation was used on. For Append, Replace's
// additions and saves it is the caller's pointer; GORM's statements for
// Delete, Clear and Replace's removals no longer carry it, so it is the
// owner read by its key in the transaction (hooks skipped: no post_init).
//
// Reverse is false on the side that declares the relation. GORM lets both
// models declare it (Post.Tags and Tag.Posts, "many2many:post_tags"); the
// forward side is then: the other side of a field tagged signals:"reverse";
// else the side whose own join column's stem begins the join table's name
// (post_id, "post_tags"); else the side whose "pkg.Model.Field" sorts
// first. GORM's self-relations are not symmetrical: a link is one row, and
// one pair of signals (C82).
//
// Receivers run in the statement's transaction and write with [DB]. An
// error from any m2m_changed receiver, pre or post, aborts the operation
// and rolls it back (C83). GORM's Replace is two statements, the insert of
// the new links then the delete of the old ones, each in its own
// transaction, and its signals come in that order (Django removes first);
// wrap it in db.Transaction to make it one.
//
// Not sent: for join rows deleted with their owner, by
// db.Select("Tags").Delete(&post) or by a database cascade (C84); for join
// rows a program writes or deletes itself (db.Create(&PostTag{...}) is a
// save of that model); for statements with SkipHooks or DryRun. Join rows
// get no save signals (C85).
//
// How: the plugin sees the join rows GORM inserts and deletes, tells the
// Association method from the call stack (GORM passes neither), and reads
// the links already stored with one SELECT on the join table, in the
// statement's transaction (and the owners, for removals). Without an
// m2m_changed receiver for the relation (or with the signal muted), none
// of this runs and GORM's statements are unchanged. With
// FullSaveAssociations, GORM's Append names no relation; an Append that
// links nothing new then sends nothing.
//
// # On commit
//
// GORM has no after-commit hook. The plugin puts a thin wrapper around the
// database's connection pool (db.Use does it; install the plugin right
// after gorm.Open, before making sessions), so that it sees every
// transaction begin, commit and roll back, and every savepoint. [OnCommit]
// is Django's transaction.on_commit:
//
//	db.Transaction(func(tx *gorm.DB) error {
//		if err := tx.Create(&order).Error; err != nil {
//			return err
//		}
//		return signalsgorm.OnCommit(tx, func(ctx context.Context) error {
//			return mailer.SendReceipt(ctx, order.ID)
//		})
//	})
//
// A callback runs after the outermost transaction commits, in registration
// order (C122, C126); a rollback drops the transaction's callbacks (C123);
// a rollback to a savepoint (a nested Transaction that fails, RollbackTo)
// drops exactly those registered since the savepoint, whatever the nesting
// (C124); outside a transaction the callback runs at once (C120). Inside a
// receiver, [OnCommitContext] finds the statement's transaction in the
// receiver's context. Callbacks run on the goroutine that commits, before
// the commit call returns, with a context whose *gorm.DB ([DB]) is on the
// pool: they may query and open transactions of their own (C130).
//
// This works with db.Transaction and nested Transaction, Begin/Commit/
// Rollback, SavePoint/RollbackTo, the transaction GORM opens for each
// write, PrepareStmt (in the configuration or a Session),
// SkipDefaultTransaction, and any number of goroutines: callbacks belong to
// one transaction of one database and never leak to another (C127, C131).
// db.DB() keeps returning the *sql.DB. [TxID] identifies the transaction a
// *gorm.DB is in.
//
// Failures. Callbacks are robust by default (Django's robust=True): an
// error or a panic is logged on the plugin's [Logger] (slog) and the next
// callbacks run (C129). With [FailFast] a callback behaves as Django's
// default: its error is returned by the commit (db.Transaction,
// tx.Commit(), or the write whose transaction it was) as a
// *[CallbackError], and the callbacks after it are discarded (C128). Robust
// is our default on purpose: when a callback runs the data is committed,
// and an error out of Transaction invites a caller to retry a write that
// succeeded. A commit that fails (a PostgreSQL transaction aborted by a
// failed statement, a lost connection) drops the callbacks.
//
// Deliberate differences from Django:
//   - Savepoints set with SavePoint, or with SAVEPOINT statements run
//     through db.Exec, are followed like those of nested transactions: their
//     rollback drops the callbacks registered since. (SQL sent to the
//     driver's transaction directly, bypassing GORM, is not seen.) Django ignores manual
//     savepoints (C132), so it would run callbacks whose data was undone.
//     Each database's rules for a reused name are followed (MySQL replaces
//     the older savepoint; SQLite and PostgreSQL hide it).
//   - OnCommit on a transaction that has committed runs the callback at
//     once; on one that was rolled back it returns [ErrRolledBack].
//   - Where the plugin cannot see the commit it refuses, with
//     [ErrUntracked], rather than run the callback too early: transactions
//     begun inside db.Connection (GORM hands them a *sql.Conn), or on a
//     ConnPool that another plugin (dbresolver) installs after this one.
//   - On MariaDB, DDL (AutoMigrate, CREATE TABLE) inside a transaction
//     commits it implicitly, and the plugin does not see that commit: the
//     callbacks registered before wait for the transaction's end, and a
//     rollback drops them although their rows were committed. Keep DDL out
//     of transactions that register callbacks.
//
// # After-commit receivers
//
// [AfterCommit] connects a receiver that gets its events only if and when
// the transaction of the statement that sent them commits, never after a
// rollback; the events of a savepoint that was rolled back are dropped:
//
//	signalsgorm.AfterCommit(modelsignals.OnPostSave, func(ctx context.Context, ev modelsignals.Save[Order]) error {
//		return queue.Enqueue(ctx, "receipt", ev.Instance.ID)
//	})
//
// It takes any typed connect function of modelsignals, or a signal's
// ConnectFunc, and records [ModeAfterCommit] as the receiver's Mode for
// introspection. The receiver is robust: its failures are logged. Outside
// a transaction (SkipDefaultTransaction) it is called at once, so connect
// post_* receivers this way, not pre_* ones. Signals of your own reach
// after-commit receivers when sent with [NewContext](ctx, tx).
//
// # Durable receivers
//
// Django's advice is to keep receivers fast and hand heavy work to a task
// queue. A durable receiver does that without a second system: it is
// connected under a stable name, and each event is written to an outbox in
// the same transaction as the model change, then delivered after the
// commit by workers, at least once, with retries, backoff and dead
// letters, surviving crashes:
//
//	signalsgorm.DurablePostSave("accounts.welcome_email", func(ctx context.Context, ev outbox.Event[User]) error {
//		if !ev.Created {
//			return nil
//		}
//		return mailer.Welcome(ctx, ev.Instance.Email, ev.Delivery.Key())
//	})
//
// [DurablePostSave], [DurablePostDelete] and [DurableM2MChanged] (post_add,
// post_remove, post_clear) connect an inline receiver that writes the
// event, shown by introspection with Mode [ModeDurable], the user's
// function and the durable name; the name is the routing key and, with
// the event ID, the idempotency key (outbox.Delivery.Key). The handler gets
// an outbox.Event[M]: the versioned envelope (event ID, a UUIDv7; model,
// primary key, created, update_fields, changed fields when [TrackChanges]
// is on, transaction and sequence, correlation ID) and a copy of the
// instance decoded into a new M. Fields tagged signals:"-" never leave the
// process; a model with a blank field tagged signals:"thin" sends no
// instance at all. A rollback, or the rollback of the savepoint the event
// was sent in, leaves no outbox record and delivers nothing.
//
// Embedded mode, the default, needs no other service: the events go to the
// signals_outbox table of the application's own database (SQLite,
// PostgreSQL, MySQL/MariaDB), one row per event and receiver, and
// [Outbox.Run] delivers them in-process, one worker per receiver, in commit
// order (a commit wakes the workers at once). A lease in
// signals_outbox_leases keeps one worker per receiver across processes. A
// failing event is retried with exponential backoff and, after
// MaxAttempts (or at once for an outbox.Permanent error), moved to the
// dead letters; meanwhile the receiver's later events wait, which keeps the
// order of each row's events; other receivers are not delayed.
// [Outbox.DeadLetters] and [Outbox.Replay] list and replay them,
// [Outbox.Purge] drops delivered rows past the retention, [Outbox.Stats]
// gives each receiver's backlog and lag.
//
// Broker mode writes the events to another outbox.Store, given with
// [WithOutbox]: signalswatermill's SQL outbox, relayed to NATS JetStream
// (signalsnats), RabbitMQ (signalsamqp) or Kafka (signalskafka), with
// workers in other processes.
//
// Delivery is at least once. [Once] makes a handler's database effects
// exactly-once: it records the delivery's key in signals_processed in the
// same transaction as the effects, and skips an event already recorded.
//
// With SkipDefaultTransaction, a write of a model that has durable
// receivers still runs in a transaction, which the plugin opens and
// commits, so the row and its outbox record stand or fall together. A
// durable event sent by hand outside any transaction is refused with
// [ErrNotAtomic].
//
// Differences from Django, which has no durable receivers: a receiver gets
// a copy of the instance, decoded from JSON, not the caller's object; it
// may run more than once (make it idempotent); it runs after the commit,
// so it cannot veto or undo the write. The embedded mode uses no
// Watermill: Watermill has no SQLite Pub/Sub this project can use, the
// per-receiver ordered log with leases is a few hundred lines on GORM, and
// the plugin keeps no dependency beyond GORM.
//
// # Testing on-commit code
//
// Tests often run inside a transaction they roll back, where callbacks
// never run. [CaptureOnCommit] (Django's captureOnCommitCallbacks) returns
// the callbacks a block registered, and with [Execute] runs them, and
// those they register, breadth first (C133). It takes them out of the
// transaction.
//
// # What a failing receiver undoes
//
// Receivers of the signals sent by writes (pre_save, post_save,
// pre_update, post_update, m2m_changed) run inside the write's callback
// chain, so what their failure undoes depends on the transaction around
// the write; the same holds on SQLite, PostgreSQL and MariaDB unless noted:
//
//   - pre_save, pre_update and m2m_changed's pre_* actions: the write stops
//     before its own statement and returns the error. In the transaction
//     GORM opens for the write (the default), the rows it had already
//     stored (a parent saved before its children) are rolled back; with
//     SkipDefaultTransaction they stay.
//   - post_save, post_update and m2m_changed's post_* actions: the write
//     returns the error. In its own transaction the write and everything
//     saved with it (related objects, join rows) are rolled back. With
//     SkipDefaultTransaction every statement is committed as it runs, and
//     the rows stay (as Django's post_save after an autocommitted save,
//     C60).
//   - Inside db.Transaction, GORM does not undo a statement in a
//     transaction it did not begin: the write returns the error, and its
//     rows are committed unless the function returns an error (or the
//     write ran in a nested Transaction that returns it, which undoes just
//     that savepoint).
//   - A receiver's own SQL that fails (through [DB]) differs by database:
//     PostgreSQL aborts the whole transaction (every later statement fails
//     and the COMMIT rolls back, so on-commit callbacks are dropped);
//     SQLite and MariaDB undo only the failing statement (InnoDB also rolls
//     the whole transaction back on a deadlock).
//   - pre_delete and post_delete: the whole deletion is undone, cascades
//     included, also with SkipDefaultTransaction (the collector opens a
//     transaction of its own); inside db.Transaction, as above.
//   - pre_init and post_init: queries run in no transaction of their own; a
//     failure fails the query and undoes nothing.
//   - class_prepared is sent robustly, outside any transaction. A failing
//     pre_migrate receiver stops [AutoMigrate] before any change; a failing
//     post_migrate one undoes nothing, as AutoMigrate has no transaction of
//     its own (on MariaDB its DDL commits any open one). A failing
//     connection_created receiver fails the connection attempt.
//   - After-commit receivers and on-commit callbacks run after the commit:
//     their failures undo nothing.
//
// # Reading: pre_init and post_init
//
// post_init is sent for every instance a query materialises: Find, First,
// Take, Last, Raw(...).Find, and the objects Preload loads. Go has no
// constructor, so pre_init is sent once per such query, before it runs, with
// its destination. GORM's Scan reads rows outside its callback chain (no
// plugin can see them): use Find to materialise models, including from Raw
// SQL, or [Scan](db, dest), which is db.Scan with the init signals.
//
// # Models, migrations, connections
//
// class_prepared is sent once per model type, when the plugin first meets
// its schema; [Register] parses models up front, and modelsignals.Models
// lists them. [AutoMigrate] wraps db.AutoMigrate with pre_migrate and
// post_migrate and their plan. modelsignals.OpenDB opens a pool whose new
// connections send connection_created; pass it as the dialector's Conn.
//
// # Deletion
//
// With the plugin installed, every GORM delete goes through a collector
// with the semantics of Django's: db.Delete(&obj), db.Delete(&[]T{...}),
// db.Delete(&T{}, ids), db.Where(...).Delete(&T{}), and the deletes GORM
// runs itself (associations). No code changes. pre_delete and post_delete
// are sent for each object actually deleted, with the row as stored
// (Instance), Using, and Origin: the value passed to Delete, or a
// *modelsignals.Query for a conditional delete, the same for every object
// the deletion reaches. When the caller passes instances, they are the
// events' instances, their columns refreshed from the database first.
//
// Deleting a row also handles the rows that reference it, through the
// relations GORM knows: has-one and has-many, belongs-to declared only on
// the referencing model, many2many links (from either side, and a custom
// join model's rows, with their signals) and polymorphic has-one/has-many.
// The collector knows the models the plugin has met (used in a statement,
// passed to [Register] or [AutoMigrate]) and every model reachable from
// them through relations; register a model that only declares a
// belongs-to so that deleting its parent finds it.
//
// Each relation has an [OnDelete] mode, Django's on_delete: [Cascade],
// [Protect], [Restrict], [SetNull], [SetDefault], [DoNothing]. It comes from
// a [DeleteRule] option, else from the relation field's tag
// signals:"on_delete:PROTECT" (on either side), else from GORM's
// constraint:OnDelete tag (CASCADE, SET NULL, SET DEFAULT; RESTRICT and NO
// ACTION give Restrict). A relation without any is DoNothing: the database
// applies its own constraint, as without the plugin (GORM's default
// constraint refuses the DELETE, after pre_delete was sent; declare
// Restrict to refuse before any signal). Many2many links cascade unless
// declared otherwise. Two sides declaring different modes with the same
// strength is an error, reported by the deletion.
//
// Protect and Restrict are checked while collecting, before any signal or
// write ([ProtectedError], [RestrictedError], matched by errors.Is with
// [ErrProtected] and [ErrRestricted]); a restricted row is allowed when the
// same deletion removes it through a cascade (C98). SetNull and SetDefault
// are UPDATE statements: the referencing rows get no save signals, and
// instances in memory keep their old values (C99). DoNothing leaves the
// rows to the database; a pre_delete receiver may fix them first.
//
// # Order, transaction, result
//
// Every pre_delete is sent first: models in dependency order (those
// deleted first come first), each model's rows by ascending primary key.
// Then the UPDATEs of SetNull and SetDefault, then model by model its
// DELETE statements followed by its post_delete, rows by descending key
// (C105): a child's post_delete runs while its parent row still exists.
// A model that cascades to itself (a tree) is deleted leaves first, one
// statement per level. Cycles terminate: when models reference each
// other, dependencies through nullable keys (pointer or sql.Null types)
// are dropped and those keys set to NULL before the deletes (C108); if no
// order exists, the collection order is kept (C107). Rows forming a cycle
// through a nullable key of their own model are set to NULL the same way.
//
// The whole deletion runs in one transaction: GORM's default one, the
// caller's (db.Transaction: no savepoint, so return the error to roll
// back), or, with SkipDefaultTransaction, one the plugin opens. An error
// from any pre_delete or post_delete receiver, or from the database, aborts
// it: nothing is deleted (C109). A deletion reads before it writes: on
// SQLite, concurrent deletions need immediate transactions (the
// _txlock=immediate DSN parameter), or one fails with SQLITE_BUSY.
//
// [Delete] returns Django's (total, {label: count}) as a [DeleteResult];
// [DeleteResultOf] reads it from the *gorm.DB db.Delete returned. Counts
// include cascaded rows and many2many links (under the join model's label,
// as m2m_changed reports it: "shop.Post_Tags"); models with none are left
// out. RowsAffected stays what GORM users expect: the rows of the model
// passed to Delete. Cascades send no m2m_changed (C84). The UPDATEs of
// SetNull and SetDefault send pre_update and post_update, as any UPDATE
// that does not go through objects.
//
// # Fast path
//
// When no pre_delete or post_delete receiver applies to a model (a
// catch-all receiver applies to every model; muting the signals with
// signals.Mute disables them), its rows are never read (C103, C104): they
// are deleted by condition, with one statement per relation, through
// subqueries. A model with no acting relation and no receiver is deleted
// by GORM's own single statement. Otherwise the collector reads, per
// relation, the rows the receivers need, the keys of a conditional
// delete's rows when relations follow (so that its condition is evaluated
// once, before anything changes), and the keys of models in a cycle or
// restricted. Lists of keys are cut to the dialect's parameter limit
// ([MaxQueryParams]); the number of statements grows with the depth of
// the relations and the number of chunks, never with the number of rows.
// [Plugin.DeletePlan] describes all this for a model without running
// anything.
//
// # Soft delete
//
// A model with a gorm.DeletedAt field is soft deleted unless the statement
// is Unscoped. The signals are sent, with Soft set: a receiver that
// removes what belongs to the object for good should wait for a hard
// delete. A soft delete keeps the row, so it only cascades to models that
// can be soft deleted too (their rows not yet deleted); it leaves other
// models, many2many links and SetNull/SetDefault relations alone, and
// Protect and Restrict still apply. Every row a soft delete marks gets the
// same time, so the cascade can be undone by it. An Unscoped delete is a
// hard delete of everything it reaches, soft-deleted rows included.
//
// # Differences from Django
//
// Primary keys are not reset after a deletion (C64): GORM code keeps using
// them. The single-object shortcut's (0, {label: 0}) is not reproduced
// (C111): a model with nothing deleted is always left out. Django 6.1's
// DB_CASCADE (C102) is DoNothing, declared with a rule or the signals tag,
// next to a constraint:OnDelete:CASCADE: the database deletes those rows,
// unread and without signals. Rows are read with GORM's Find, so post_init is sent
// for them, as Django constructs instances. GORM's BeforeDelete and
// AfterDelete methods run, as always, on the value passed to Delete only;
// pre_delete runs after BeforeDelete, post_delete before AfterDelete.
// Session{SkipHooks: true} sends no delete signals but still cascades.
// Rows of models without a primary key get no signals (they are deleted by
// condition), and deleting such a model directly is GORM's own statement;
// a delete from another table than the model's (db.Table) does not
// cascade. A statement with a RETURNING clause gets the deleted rows of
// its model when the collector runs, on every dialect. Django refuses to
// delete a sliced queryset (C112); GORM's DELETE honours Order and Limit on
// MySQL only, and the collector reads the same rows there.
//
// # Changed fields
//
// [TrackChanges] (per model) or [TrackAllChanges] makes save events carry
// Changes: the fields whose value differs from the one loaded or last
// saved, old → new; ev.Changed("Status") answers "did Status change, from
// what to what". The plugin snapshots each instance a query loads (and each
// it saves); the snapshots are held weakly and disappear with their
// instances. An instance that was not loaded (db.Model(&Order{ID: 1}).
// Updates(...)) has its row read in the update's transaction. For a created
// object, Changes lists its non-zero fields. Loading 10 000 rows with
// tracking costs about five allocations per row more (BenchmarkLoad10k).
//
// # Bulk and conditional updates
//
// Django sends nothing for QuerySet.update() (ticket #22543). The plugin
// sends modelsignals.PreUpdate and PostUpdate for every UPDATE that does not
// go through objects: conditional updates (db.Model(&Order{}).Where(...).
// Updates(...)), UpdateColumn(s), and updates of a slice of objects. The
// event has the condition, the values and the primary keys of the affected
// rows, read by a SELECT in the update's transaction before it runs (FOR
// UPDATE on PostgreSQL and MySQL): GORM scans RETURNING rows into the model
// value, which holds one row, and the keys are then known to pre_update
// too. With no receiver, no extra query runs. [PerObjectUpdates] makes the
// conditional updates of chosen models also send pre_save and post_save per
// row, with update_fields and changes; the write stays one UPDATE.
//
// # Recursion guard
//
// A post_save receiver that saves its own instance (the classic infinite
// loop), or receivers that save each other in a cycle, end with an error
// wrapping [ErrRecursiveSave] that names the chain
// ("shop.Book#1 → shop.Author#3 → shop.Book#1"), and saves nested more than
// [MaxSaveDepth] deep stop too. The guard follows the context, so it covers
// saves made through [DB](ctx, db), which receivers should use anyway.
// [AllowResave] permits an intended, bounded re-save.
//
// # Fixtures and raw saves
//
// [LoadFixtures] loads Django-format JSON fixtures in one transaction, with
// Raw set on their save signals (loaddata's raw=True); saves with a context
// made by modelsignals.WithRaw are raw too. modelsignals.Mute(ctx) silences
// every model signal for a bulk import, for that context only.
//
// # Tracing and explaining
//
// When a statement's context records a trace (signals.StartTrace, passed
// with db.WithContext), the plugin records the SQL each statement runs as a
// step of kind signals.StepSQL ("INSERT INTO `books` ..." with its
// placeholders, "rows=1"), with its duration and error, between the
// signals the statement sends: pre_save, SQL, post_save. What receivers
// write through [DB](ctx, db) nests under them. On-commit callbacks are
// steps of kind signals.StepOnCommit of the trace they were registered in,
// under the after-commit receiver that registered them. Statements without
// a trace pay an atomic load per statement for this.
//
// [Plugin.Explain] (or [Explain]) tells, without running anything, what an
// operation on a model would run, in firing order: GORM's hook methods of
// the model (BeforeSave, BeforeCreate, ...), each model signal with the
// receivers it would call (in call order, with where they were connected
// and their delivery mode), and where the SQL runs. For m2m it lists the
// m2m_changed receivers of each many-to-many relation's join model. For a
// deletion it includes the collector's plan ([Plugin.DeletePlan]): every
// model reached, the on_delete of each relation, whether its rows get
// signals or go by the fast path, and the delete receivers of each.
package signalsgorm
