// Package signalswatermill runs durable receivers (package outbox) on
// Watermill: a transactional SQL outbox on PostgreSQL or MySQL/MariaDB
// (watermill-sql) in the envelope of Watermill's forwarder component, a
// relay that publishes it to a broker in batches, and workers that consume one durable subscription
// per receiver with Watermill's router, retry and poison-queue
// middlewares. The broker is any Watermill Pub/Sub; signalsnats (NATS
// JetStream), signalsamqp (RabbitMQ) and signalskafka (Kafka) supply
// them.
//
// # Writing
//
// [SQLOutbox] is an outbox.Store: give it to the GORM plugin with
// signalsgorm.WithOutbox, and each event of a durable receiver is
// published, with watermill-sql's publisher on the model change's own
// transaction, into the forwarder's table. A rollback leaves nothing.
// PostgreSQL uses watermill-sql's default schema, whose transaction-ID
// ordering never skips a row that commits late; MySQL and MariaDB use its
// queue schema, for the same reason. [SQLOutbox.Init] creates the tables.
//
// # Relaying
//
// [SQLOutbox.Relay] returns the relay that reads the table a batch at a
// time (SQLOutbox.RelayBatch rows, with watermill-sql's own queries) and
// publishes each event to its topic on the broker, marking the batch
// relayed only when the broker holds every event of it. A publisher that
// implements [BatchPublisher] (signalsnats's) has the whole batch in
// flight at once; any other Watermill publisher gets one event at a time.
// Watermill's forwarder, which this package used before, hands the relay
// one row at a time and waits for its acknowledgement, so no more than one
// event per partition was ever in flight. The event ID is the Watermill
// message UUID, so a broker that de-duplicates by it (JetStream's
// Nats-Msg-Id) drops the copies a relay crash re-sends. When the broker
// refuses a message, the rows before it are marked relayed and the rest
// read again. Run one relay per outbox or several: the lock on a
// partition's offsets serialises them (on PostgreSQL the relay that waited
// gets a serialization failure, and looks again at once).
//
// # Working
//
// [Worker] subscribes once per durable receiver, through a subscriber the
// transport makes for it (a durable consumer, a queue), and calls the
// receiver's handler. Middlewares, outermost first: a poison queue that
// writes the dead letters to a SQL table ([DeadLetterTable]), then Retry
// with exponential backoff, so a failing event is retried in-process and,
// after MaxAttempts, dead-lettered and acknowledged: it does not block the
// receiver or any other. [DeadLetterTable.Replay] publishes a dead letter
// again through the outbox, for its receiver only.
package signalswatermill
