// Package signalsriver runs durable receivers (signalsgorm.DurablePostSave,
// DurablePostDelete, DurableM2MChanged) as River jobs
// (github.com/riverqueue/river), on PostgreSQL and SQLite. Receivers are
// declared as with the embedded outbox, with the same outbox.Event[M]
// handlers; only the engine changes:
//
//	eng, err := signalsriver.New(signalsriver.Config{})
//	db.Use(signalsgorm.New(signalsgorm.WithOutbox(eng)))
//	err = eng.Migrate(ctx, db)   // River's migrations, and outboxgorm.Once's table
//	w, err := eng.NewWorker(db)  // a River client working every durable receiver
//	go w.Run(ctx)
//
// # Jobs
//
// [Engine] is an outbox.BatchStore: each event of a durable receiver
// becomes a River job, and the jobs of a transaction are inserted together
// with River's InsertManyTx just before it commits, in the transaction of
// the model change, on the *sql.Tx under GORM's (riverdatabasesql on
// PostgreSQL through pgx's database/sql driver, riversqlite on SQLite
// through modernc.org/sqlite). A rollback, or that of the savepoint the
// event was sent in, leaves no job. The job's kind is [Kind](name)
// ("signals.<name>"), its queue [Queue](name), its arguments the
// receiver's name and the event's envelope as JSON, its max_attempts
// Config.MaxAttempts.
//
// # Working
//
// [Engine.NewWorker] returns a [Worker]: a River client with one worker
// (the kind) and one queue (Config.MaxWorkers at once) per receiver. A
// handler's error fails the attempt; River retries it after Config.Backoff,
// doubled each time up to Config.MaxBackoff, and discards the job after
// MaxAttempts attempts. An outbox.Permanent error (or an envelope that
// does not decode) cancels the job: no retry. Discarded and cancelled jobs
// stay in river_job for River's retention (by default 7 days and 24
// hours);
// [Worker.DeadLetters] lists them and [Worker.Replay] retries them (River's
// JobRetry), as does River UI. Unlike the embedded outbox, River does not
// keep the order of a row's events.
//
// Each attempt runs with Config.Timeout (default: the client's
// JobTimeout, one minute). When it passes, the handler's context is
// cancelled: a handler that returns the context's error fails the attempt,
// which is retried; one that ignores it and returns nil completes its job.
//
// A worker killed mid-job leaves its jobs running: River's rescuer, on the
// elected leader, retries them once they have been running for the River
// configuration's RescueStuckJobsAfter (default JobTimeout plus an hour;
// set it lower), checking every 30 seconds, after the dead leader's term
// (15 seconds) has expired.
//
// # Exactly-once effects
//
// Delivery is at least once: a worker that dies between a handler's
// success and River's completion of the job delivers the event again.
// River's unique jobs would not help: they de-duplicate insertions, and
// each event's job is inserted once already, in the event's transaction;
// the redelivery is of the same job. Use outboxgorm.Once in the handler,
// as with every engine: it records the delivery's key (receiver, event ID)
// in signals_processed in the transaction of the handler's effects, and
// skips a delivery already recorded. [Engine.Migrate] creates that table.
//
// # Setup
//
// [Engine.Migrate] runs River's migrations with River's migrator
// (rivermigrate). River's CLI runs the same ones, for deployments that
// migrate before starting the application (take the CLI of the version of
// River the program is built with):
//
//	go install github.com/riverqueue/river/cmd/river@v0.51.2
//	river migrate-up --database-url "postgres://user@host/db"   # or sqlite://path/to/app.db
//
// On PostgreSQL the worker listens for River's insert notifications on a
// connection of its own (a pgx pool on the dialector's DSN), so that a
// commit wakes it at once; without a DSN it polls every
// FetchPollInterval.
//
// On SQLite, open the database with _txlock=immediate and a busy_timeout:
// River's transactions and the application's then wait for the write lock
// instead of failing. River's own operations (fetching, completing,
// electing its leader) give up after 5 to 10 s and try again: keep the
// application's write transactions short, and MaxWorkers moderate when
// the handlers write to SQLite, whose one writer they all wait for. A
// worker that cannot start in time tries again ([Worker.Run]).
//
// Config.OpenTelemetry adds River's OpenTelemetry middleware (otelriver):
// spans and metrics for the insertions and the work. Package
// signalsriverui serves River UI for [Worker.Client].
//
// # Cost
//
// River's database/sql drivers spend about 130–190 µs of CPU per event
// (inserting, fetching and completing its job), where the embedded outbox
// spends about 30 µs. With River's defaults a receiver's queue fetches at
// most MaxWorkers (100) jobs per FetchCooldown (100 ms): about 1 000
// events/s. Raise Config.MaxWorkers and lower the River configuration's
// FetchCooldown for more (MaxWorkers 1 000 and 5 ms delivered 4 000–6 400
// events/s on a 2-core machine): see the README, "Which durable engine".
package signalsriver
