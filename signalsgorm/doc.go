// Package signalsgorm is a GORM plugin that sends Django's model signals
// (package modelsignals) once per object and with Django's meaning, on
// SQLite, PostgreSQL and MySQL/MariaDB: saves, deletions through Django's
// collector, m2m_changed, init and migrate signals, on_commit, and durable
// receivers that survive crashes.
//
// # Installing
//
//	db, err := gorm.Open(sqlite.Open("app.db"), &gorm.Config{})
//	if err != nil {
//		return err
//	}
//	if err := db.Use(signalsgorm.New()); err != nil {
//		return err
//	}
//	modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
//		if !ev.Created {
//			return nil
//		}
//		return db.WithContext(ctx).Create(&Notification{BookID: ev.Instance.ID}).Error
//	})
//
// Install the plugin right after gorm.Open, before making sessions: it
// wraps the connection pool to see every commit. [Install] is db.Use that
// does nothing when the plugin is already there. Give each *gorm.DB its own
// plugin; [Using] names its alias (Django's using).
//
// Receivers run in the statement's transaction, with a context that
// carries it: what they issue with it through any *gorm.DB of the database
// (db.WithContext(ctx)) runs there too, as in Django, db.Transaction as a
// savepoint; [Detached](ctx) runs on its own, to survive a rollback.
//
// # Save signals
//
// pre_save and post_save are sent for Create, Save, Update and Updates on a
// model value, FirstOrCreate, and each element of a slice: every pre_save
// of the statement, then the write, then every post_save. Related objects
// GORM saves along get their own signals; join rows do not, as in Django
// (tests/signals/tests.py, SignalTests.test_save_and_delete_signals_with_m2m).
// Created is true when the row was inserted. UpdateFields lists the fields
// the caller asked to write (Updates, Select, Omit), nil for a full save;
// an update that writes nothing sends nothing, as Django's
// save(update_fields=[]). What a pre_save receiver changes on the instance
// is written. Nothing is sent for Session{SkipHooks: true}, DryRun,
// UpdateColumn(s), or conditional updates, which send pre_update and
// post_update instead (see Beyond Django).
//
// post_init is sent for every instance a query materialises, pre_init once
// per query (Go has no constructor); use [Scan] for db.Scan, which bypasses
// callbacks. class_prepared is sent when the plugin first meets a model
// ([Register]); [AutoMigrate] sends pre_migrate and post_migrate. The
// [saves guide] has the details.
//
// # Deletion
//
// Every GORM delete, of an object, a slice, keys or a condition, goes
// through a collector with the semantics of Django's: pre_delete and
// post_delete for every object it removes, cascades included, in one
// transaction. Each relation has an [OnDelete] mode, Django's on_delete
// ([Cascade], [Protect], [Restrict], [SetNull], [SetDefault], [DoNothing]),
// taken from a [DeleteRule] option, a signals:"on_delete:PROTECT" tag or
// GORM's constraint:OnDelete tag. A deletion that Protect or Restrict
// refuses fails with a [ProtectedError] or [RestrictedError] before any
// signal or write. [Delete] returns Django's (total, {label: count}) as a
// [DeleteResult]. When no receiver applies, rows are deleted by condition
// without being read (Django's fast delete). Instances passed without
// other conditions are deleted as given, as Django's Model.delete() does:
// their rows are not read again, only the related ones (the deletion
// guide has the rule). [Plugin.DeletePlan] and [Explain] tell what a
// deletion would do without running it. The [deletion guide] covers
// ordering, cycles, soft delete and chunking.
//
// # m2m_changed
//
// modelsignals.M2MChanged is sent for many2many relations changed through
// GORM (Association(...).Append, Delete, Clear, Replace; saves whose
// many2many field is filled) with Django's actions, pk_set and reverse. The
// sender is the relation's join model ([Through]); the plugin binds the
// typed receivers of modelsignals.OnM2MChanged to it. See the [m2m guide].
//
// # Transactions and on_commit
//
// [OnCommit] is Django's transaction.on_commit: the callback runs after the
// outermost transaction commits, never after a rollback, and a rollback to
// a savepoint drops exactly the callbacks registered since:
//
//	err := db.Transaction(func(tx *gorm.DB) error {
//		if err := tx.Create(&order).Error; err != nil {
//			return err
//		}
//		return signalsgorm.OnCommit(tx, func(ctx context.Context) error {
//			return mailer.SendReceipt(ctx, order.ID)
//		})
//	})
//
// Callbacks are robust by default: a failure is logged and the next one
// runs; with [FailFast] the commit returns it as a *[CallbackError].
// Inside a receiver, [OnCommitContext] finds the statement's transaction.
// [AfterCommit] connects a receiver that gets its events only once their
// transaction commits. [CaptureOnCommit] is Django's
// captureOnCommitCallbacks, for tests. An error from a post_save receiver
// rolls back the transaction GORM opens for the write, where Django's
// post_save, sent after an autocommitted save, cannot; the
// [transactions guide] tells what a failing receiver undoes on each
// database.
//
// # Durable receivers
//
// A durable receiver writes each event to an outbox in the transaction of
// the change, and workers deliver it after the commit, at least once, with
// retries and dead letters:
//
//	signalsgorm.DurablePostSave("accounts.welcome_email", func(ctx context.Context, ev outbox.Event[User]) error {
//		return mailer.Welcome(ctx, ev.Instance.Email, ev.Delivery.Key())
//	})
//
// [DurablePostSave], [DurablePostDelete] and [DurableM2MChanged] connect
// them. By default the events go to a table of the application's own
// database, delivered by package [outboxgorm]; [WithOutbox] sends them to
// another outbox.Store (signalswatermill, relayed to NATS, RabbitMQ or
// Kafka). outboxgorm.Once makes a handler's database effects exactly-once.
// See the [durable receivers guide].
//
// # Beyond Django
//
// pre_update and post_update are sent for every UPDATE that does not go
// through objects (conditional updates, UpdateColumn(s), slices), with the
// keys of the rows; [PerObjectUpdates] adds per-row save signals.
// [TrackChanges] makes save events carry the fields that changed
// (ev.Changed("Status")). A post_save that saves its own instance in a loop
// fails with [ErrRecursiveSave] ([AllowResave] permits a bounded re-save).
// [LoadFixtures] loads Django's JSON fixtures with Raw set. A trace
// (signals.StartTrace) records the SQL of each statement between its
// signals, and [Explain] lists what an operation on a model would run. The
// [Django guide] lists every Django concept, its counterpart here, and each
// deliberate difference.
//
// # Errors
//
// Registration panics on programmer error: [AfterCommit] and the Durable*
// functions panic when given a nil function, an invalid option, a pre_*
// signal or a durable name already taken, as http.Handle does. Everything that touches
// the database returns an error, prefixed "signalsgorm: " and wrapping its
// cause, so errors.Is finds a receiver's error in the error of the GORM
// call it failed. Plugin options are checked when the plugin is installed
// and reported by db.Use. Deletions refused by on_delete match
// [ErrProtected] and [ErrRestricted]; [OnCommit] fails with [ErrRolledBack]
// or [ErrUntracked] where it cannot keep Django's promise.
//
// [saves guide]: https://github.com/gosignals/signals/blob/main/docs/saves.md
// [deletion guide]: https://github.com/gosignals/signals/blob/main/docs/deletion.md
// [m2m guide]: https://github.com/gosignals/signals/blob/main/docs/m2m.md
// [transactions guide]: https://github.com/gosignals/signals/blob/main/docs/transactions.md
// [durable receivers guide]: https://github.com/gosignals/signals/blob/main/docs/durable.md
// [Django guide]: https://github.com/gosignals/signals/blob/main/docs/coming-from-django.md
// [outboxgorm]: https://pkg.go.dev/github.com/gosignals/signals/signalsgorm/outboxgorm
package signalsgorm
