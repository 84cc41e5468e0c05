package outbox

import (
	"context"
	"database/sql"
	"time"
)

// Execer runs statements in the transaction of the model change: a
// *sql.Tx, or the transaction an ORM adapter holds.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Message is one outbox record: an encoded envelope bound for a topic,
// and for one receiver when the store wants a record per receiver.
type Message struct {
	// ID is the record's ID, unique in the outbox: the event ID for a
	// store that writes one record per event (and the broker's
	// de-duplication ID), a fresh ID per receiver otherwise.
	ID string
	// Receiver names the receiver for a store that writes one record per
	// receiver; it is "" otherwise.
	Receiver string
	Topic    string
	Envelope *Envelope
	// Payload is Encode(Envelope).
	Payload []byte
}

// Store writes outbox records in the caller's transaction, so that they
// commit or roll back with the model change.
type Store interface {
	// Append writes m with tx.
	Append(ctx context.Context, tx Execer, m *Message) error
	// PerReceiver reports whether the store wants one record per durable
	// receiver of an event (it delivers them itself) or one per event (a
	// broker fans it out by topic).
	PerReceiver() bool
}

// A BatchStore is a Store that writes the records of a transaction
// together. An ORM adapter that knows when the transaction commits
// (signalsgorm does) queues the records as the events are sent and hands
// them all to AppendBatch, in the order they were sent, just before the
// commit; a rollback, or a rollback to a savepoint, drops those queued
// since. An error fails the commit. Without such an adapter, Append is
// called per record as before.
type BatchStore interface {
	Store
	// AppendBatch writes ms with tx.
	AppendBatch(ctx context.Context, tx Execer, ms []*Message) error
}

// DeadLetter is a delivery that failed for good.
type DeadLetter struct {
	// ID identifies the dead letter for Replay.
	ID       string
	Receiver string
	EventID  string
	Topic    string
	Payload  []byte
	// Attempts is the number of deliveries tried, Error the last failure.
	Attempts int
	Error    string
	FailedAt time.Time
}

// DeadLetters lists and replays dead letters.
type DeadLetters interface {
	// DeadLetters returns up to limit dead letters of receiver ("" for
	// every receiver), oldest first.
	DeadLetters(ctx context.Context, receiver string, limit int) ([]DeadLetter, error)
	// Replay delivers the dead letters with the given IDs again, to their
	// receiver only, and reports how many it requeued.
	Replay(ctx context.Context, ids ...string) (int, error)
}

// Stats are the backlog figures of one receiver.
type Stats struct {
	Receiver string
	// Pending counts the events not delivered yet, Dead the dead letters,
	// Delivered the delivered ones still retained.
	Pending, Dead, Delivered int64
	// Lag is the age of the oldest pending event (0 when none is pending).
	Lag time.Duration
	// Attempts counts the failed attempts of the event the receiver is
	// retrying (its oldest pending event), 0 when it is not retrying one.
	Attempts int
	// LastError is the last error of the event being retried, or else of
	// the receiver's latest dead letter; "" when there is neither.
	LastError string
}
