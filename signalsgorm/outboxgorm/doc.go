// Package outboxgorm is the embedded outbox of signalsgorm's durable
// receivers: the tables they write their events to in the application's
// own database (SQLite, PostgreSQL, MySQL/MariaDB), and the in-process
// workers that deliver them.
//
// A durable receiver ([signalsgorm.DurablePostSave] and its siblings)
// writes one row per event and receiver to the signals_outbox table, in the
// transaction of the change. [New] returns the [Outbox] of a database that
// has the signalsgorm plugin installed, [Outbox.Migrate] creates its
// tables, and [Outbox.Run] delivers the rows for as long as its context
// lives:
//
//	ob, err := outboxgorm.New(db, outboxgorm.Config{})
//	if err != nil {
//		return err
//	}
//	if err := ob.Migrate(ctx); err != nil {
//		return err
//	}
//	go ob.Run(ctx)
//
// # Delivery
//
// The rows of a transaction are written together, in multi-row INSERTs
// (one INSERT on PostgreSQL), just before its commit. Run starts one
// worker per receiver; a commit that wrote rows wakes the workers at once,
// and they poll for the rows of other processes every PollInterval. A
// lease in signals_outbox_leases keeps one worker per receiver across
// processes: its holder renews it every LeaseTTL/3, while its handlers run
// too, and another process takes over LeaseTTL after the holder stopped.
// Every time the outbox keeps is the database's clock.
//
// A delivery lasts at most DeliveryTimeout: then its context is cancelled
// and the attempt fails. A failing event is retried with exponential
// backoff and, after MaxAttempts (or at once for an [outbox.Permanent]
// error), moved to the dead letters; meanwhile the receiver's later events
// wait, and other receivers are not delayed. Each receiver gets its events
// in the order of their rows, which is commit order for the events of one
// row (docs/durable.md in the repository says exactly what is ordered).
// Once Run's context is done, the handlers running get ShutdownTimeout to
// finish; Run then returns, even if one ignores its context, and what it
// abandoned is delivered again.
//
// [Outbox.DeadLetters] and [Outbox.Replay] list and replay dead letters,
// [Outbox.Purge] drops delivered rows past the retention, [Outbox.Stats]
// gives each receiver's backlog and lag. [Outbox.RunOnce] delivers what is
// pending now, for tests and cron jobs.
//
// # Tables
//
// The tables are made by versioned SQL files, per dialect, that
// [Outbox.Migrate] applies and records ([Migrations] returns them, to hand
// to goose, golang-migrate or atlas instead). Row statuses are text:
// pending, delivered, dead.
//
// # Exactly-once effects
//
// Delivery is at least once: a worker that dies between a handler's
// success and the row's update delivers the event again. [Once] makes a
// handler's database effects exactly-once by recording the delivery's key
// in signals_processed in the same transaction as the effects. Workers of
// a broker outbox (signalsgorm.WithOutbox), which have no embedded outbox,
// create that table with [MigrateOnce].
package outboxgorm
