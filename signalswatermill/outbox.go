package signalswatermill

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gosignals/signals/outbox"
)

// Metadata keys of the messages this package publishes, besides
// Watermill's correlation_id.
const (
	MetaSignal   = "signal"
	MetaModel    = "model"
	MetaPK       = "pk"
	MetaEventID  = "event_id"
	MetaSchema   = "schema"
	MetaReplayTo = "signals_replay_to" // a replayed dead letter: only this receiver handles it
	schemaV1     = "signals.event/v1"
)

// Dialects of [SQLOutbox].
const (
	Postgres = "postgres"
	MySQL    = "mysql"
)

// SQLOutbox is the outbox of broker mode: a watermill-sql table in the
// application's PostgreSQL or MySQL/MariaDB database, written in the
// model change's transaction and read by the relay. It implements
// outbox.Store.
type SQLOutbox struct {
	// Dialect is Postgres or MySQL.
	Dialect string
	// ForwarderTopic names the table (watermill_<topic>); default
	// "signals_outbox".
	ForwarderTopic string
	// Partitions splits the outbox into that many tables (watermill_<topic>_<i>),
	// by model and primary key, each relayed by a loop of its own, in
	// parallel: the events of one row stay in one partition, in order.
	// Default 1: one table, one loop.
	Partitions int
	// TopicPrefix is put before each event's topic (outbox.Topic) on the
	// broker, to keep the subjects of several applications apart.
	TopicPrefix string
	// RelayBatch is how many rows the relay reads in one transaction and
	// has in flight on the broker at once (with a BatchPublisher);
	// default 500.
	RelayBatch int
	// PollInterval is how long the relay waits before it looks again at
	// a partition it found empty; default 100 ms.
	PollInterval time.Duration
	// Logger receives Watermill's logs; default slog.Default().
	Logger *slog.Logger
}

func (s *SQLOutbox) relayBatch() int {
	if s.RelayBatch <= 0 {
		return 500
	}
	return s.RelayBatch
}

func (s *SQLOutbox) pollInterval() time.Duration {
	if s.PollInterval <= 0 {
		return 100 * time.Millisecond
	}
	return s.PollInterval
}

// consumerGroup is the relay's consumer group in watermill-sql's offsets.
func (s *SQLOutbox) consumerGroup() string {
	if s.Dialect == MySQL {
		return "" // the queue schema has no consumer groups: rows are marked acked
	}
	return "signals_relay"
}

func (s *SQLOutbox) base() string {
	if s.ForwarderTopic == "" {
		return "signals_outbox"
	}
	return s.ForwarderTopic
}

func (s *SQLOutbox) partitions() int { return max(s.Partitions, 1) }

// topic returns the forwarder topic of partition i.
func (s *SQLOutbox) topic(i int) string {
	if s.partitions() == 1 {
		return s.base()
	}
	return s.base() + "_" + strconv.Itoa(i)
}

// partition returns the partition of an event: by model and primary key.
func (s *SQLOutbox) partition(env *outbox.Envelope) int {
	n := s.partitions()
	if n == 1 {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(env.Key()))
	return int(h.Sum32() % uint32(n))
}

func (s *SQLOutbox) logger() watermill.LoggerAdapter {
	if s.Logger == nil {
		return watermill.NewSlogLogger(slog.Default())
	}
	return watermill.NewSlogLogger(s.Logger)
}

func (s *SQLOutbox) adapters() (wmsql.SchemaAdapter, wmsql.OffsetsAdapter, error) {
	switch s.Dialect {
	case Postgres:
		return wmsql.DefaultPostgreSQLSchema{SubscribeBatchSize: s.relayBatch()}, wmsql.DefaultPostgreSQLOffsetsAdapter{}, nil
	case MySQL:
		return wmsql.MySQLQueueSchema{SubscribeBatchSize: s.relayBatch()}, wmsql.MySQLQueueOffsetsAdapter{}, nil
	}
	return nil, nil, fmt.Errorf("signalswatermill: SQLOutbox: unknown dialect %q (use Postgres or MySQL)", s.Dialect)
}

// PerReceiver implements outbox.Store: one record per event, fanned out
// to the receivers by the broker.
func (s *SQLOutbox) PerReceiver() bool { return false }

// Append implements outbox.Store: it writes the event with watermill-sql's
// publisher on tx, in the envelope of Watermill's forwarder.
func (s *SQLOutbox) Append(ctx context.Context, tx outbox.Execer, m *outbox.Message) error {
	return s.AppendBatch(ctx, tx, []*outbox.Message{m})
}

// AppendBatch implements outbox.BatchStore: the events of a transaction
// are written with multi-row INSERTs (up to 500 rows each) per partition,
// in the order they were sent, just before the commit.
func (s *SQLOutbox) AppendBatch(ctx context.Context, tx outbox.Execer, ms []*outbox.Message) error {
	parts := make(map[int][]Routed, s.partitions())
	var order []int
	for _, m := range ms {
		p := s.partition(m.Envelope)
		if _, ok := parts[p]; !ok {
			order = append(order, p)
		}
		parts[p] = append(parts[p], Routed{Topic: s.TopicPrefix + m.Topic, Msg: Message(m.Envelope, m.Payload, m.ID)})
	}
	for _, p := range order {
		if err := s.publish(ctx, tx, p, parts[p]); err != nil {
			return err
		}
	}
	return nil
}

// publish writes batch to partition p's table, in INSERTs of up to
// rowsPerInsert rows.
func (s *SQLOutbox) publish(ctx context.Context, tx outbox.Execer, p int, batch []Routed) error {
	schema, _, err := s.adapters()
	if err != nil {
		return err
	}
	rows := make([]*message.Message, len(batch))
	for i, r := range batch {
		if rows[i], err = wrap(r.Topic, r.Msg); err != nil {
			return fmt.Errorf("signalswatermill: writing the outbox: %w", err)
		}
		rows[i].SetContext(ctx)
	}
	pub, err := wmsql.NewPublisher(execer{tx}, wmsql.PublisherConfig{SchemaAdapter: schema}, s.logger())
	if err != nil {
		return fmt.Errorf("signalswatermill: %w", err)
	}
	for len(rows) > 0 {
		n := min(len(rows), rowsPerInsert)
		if err := pub.Publish(s.topic(p), rows[:n]...); err != nil {
			return fmt.Errorf("signalswatermill: writing the outbox: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// rowsPerInsert bounds a multi-row INSERT: 3 parameters a row, far below
// PostgreSQL's and MySQL's 65 535, and a few hundred kilobytes of
// payloads, below MySQL's max_allowed_packet.
const rowsPerInsert = 500

// Message returns the Watermill message of an event: its UUID is id (the
// event ID), its payload the encoded envelope, its metadata the routing
// copies.
func Message(env *outbox.Envelope, payload []byte, id string) *message.Message {
	msg := message.NewMessage(id, payload)
	msg.Metadata.Set(MetaSignal, env.Signal)
	msg.Metadata.Set(MetaModel, env.Model)
	msg.Metadata.Set(MetaPK, env.PK)
	msg.Metadata.Set(MetaEventID, env.ID)
	msg.Metadata.Set(MetaSchema, schemaV1)
	msg.Metadata.Set("content-type", "application/json")
	if env.CorrelationID != "" {
		msg.Metadata.Set("correlation_id", env.CorrelationID)
	}
	return msg
}

// Init creates the outbox tables and the relay's offsets tables.
func (s *SQLOutbox) Init(ctx context.Context, db *sql.DB) error {
	sub, err := s.subscriber(db)
	if err != nil {
		return err
	}
	defer sub.Close()
	for i := range s.partitions() {
		if err := sub.SubscribeInitialize(s.topic(i)); err != nil {
			return fmt.Errorf("signalswatermill: creating the outbox tables: %w", err)
		}
	}
	return nil
}

func (s *SQLOutbox) subscriber(db *sql.DB) (*wmsql.Subscriber, error) {
	schema, offsets, err := s.adapters()
	if err != nil {
		return nil, err
	}
	sub, err := wmsql.NewSubscriber(wmsql.BeginnerFromStdSQL(db), wmsql.SubscriberConfig{
		ConsumerGroup:  s.consumerGroup(),
		SchemaAdapter:  schema,
		OffsetsAdapter: offsets,
	}, s.logger())
	if err != nil {
		return nil, fmt.Errorf("signalswatermill: %w", err)
	}
	return sub, nil
}

// execer adapts an outbox.Execer to watermill-sql's ContextExecutor.
type execer struct{ tx outbox.Execer }

func (e execer) ExecContext(ctx context.Context, q string, args ...any) (wmsql.Result, error) {
	return e.tx.ExecContext(ctx, q, args...)
}

func (e execer) QueryContext(ctx context.Context, q string, args ...any) (wmsql.Rows, error) {
	return e.tx.QueryContext(ctx, q, args...)
}

var _ outbox.BatchStore = (*SQLOutbox)(nil)
