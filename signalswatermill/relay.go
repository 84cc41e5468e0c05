package signalswatermill

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
)

// Routed is a message and the topic it is published to.
type Routed struct {
	Topic string
	Msg   *message.Message
}

// A BatchPublisher publishes a batch with several messages in flight at
// once, and returns only when the broker holds every one of them, or with
// an error and the number of leading messages of the batch the broker
// holds: the relay marks those relayed and reads the rest again (the
// broker de-duplicates by message UUID, the event ID, where it can). The
// relay uses it when the publisher given to [SQLOutbox.Relay] implements
// it, as signalsnats.Publisher's does; otherwise (a decorator that hides
// it included) it publishes one message at a time, each acknowledged
// before the next.
type BatchPublisher interface {
	message.Publisher
	PublishBatch(ctx context.Context, batch []Routed) (held int, err error)
}

// Relay moves the outbox's rows to the broker: one loop per partition
// reads a batch of rows (SQLOutbox.RelayBatch) in a transaction, publishes
// them, and marks them relayed in that transaction only once the broker
// holds all of them. It reads the tables with watermill-sql's own queries
// (the rows and offsets it writes are the ones Watermill's forwarder reads),
// so a relay and a forwarder can take turns on one outbox.
type Relay struct {
	s    *SQLOutbox
	db   *sql.DB
	pub  message.Publisher
	bpub BatchPublisher // nil when pub publishes one message at a time
	log  *slog.Logger

	schema  wmsql.SchemaAdapter
	offsets wmsql.OffsetsAdapter
	group   string

	closeOnce sync.Once
	closing   chan struct{}
	running   sync.WaitGroup
}

// Relay returns the relay of the outbox in db, publishing each event to its
// topic with pub, at least once: a row is marked relayed only after pub
// returned for it without error, so the broker holds it. pub must be safe
// for concurrent use when there are several partitions.
func (s *SQLOutbox) Relay(db *sql.DB, pub message.Publisher) (*Relay, error) {
	schema, offsets, err := s.adapters()
	if err != nil {
		return nil, err
	}
	r := &Relay{s: s, db: db, pub: pub, log: s.Logger, schema: schema, offsets: offsets,
		group: s.consumerGroup(), closing: make(chan struct{})}
	if r.log == nil {
		r.log = slog.Default()
	}
	r.bpub, _ = pub.(BatchPublisher)
	return r, nil
}

// Run relays until ctx is cancelled or Close is called, then returns nil.
// A failed batch (the database or the broker unreachable) is logged and
// read again after a pause that doubles up to 5 s; nothing of it was marked
// relayed.
func (r *Relay) Run(ctx context.Context) error {
	r.running.Add(1)
	defer r.running.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-r.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	var wg sync.WaitGroup
	for i := range r.s.partitions() {
		wg.Go(func() { r.loop(ctx, r.s.topic(i)) })
	}
	wg.Wait()
	return nil
}

// Close stops Run and waits for it to return (a batch in flight is rolled
// back, and read again by the next relay); it is safe to call twice.
func (r *Relay) Close() error {
	r.closeOnce.Do(func() { close(r.closing) })
	r.running.Wait()
	return nil
}

const maxRelayPause = 5 * time.Second

func (r *Relay) loop(ctx context.Context, table string) {
	pause := r.s.pollInterval()
	ready := false
	for ctx.Err() == nil {
		var n int
		var err error
		if !ready {
			err = r.prepare(ctx, table)
			ready = err == nil
		}
		if err == nil {
			n, err = r.batch(ctx, table)
		}
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && contended(err):
			// Another relay held the partition's offsets and committed
			// first: its rows are relayed, look again at once.
			r.log.Debug("signalswatermill: relay: another relay took the batch", "table", table)
			continue
		case err != nil:
			r.log.Warn("signalswatermill: relay: batch failed, reading it again", "table", table, "err", err, "after", pause)
		case n > 0:
			pause = r.s.pollInterval()
			continue // more may be waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		if err != nil {
			pause = min(2*pause, maxRelayPause)
		} else {
			pause = r.s.pollInterval()
		}
	}
}

// prepare runs watermill-sql's queries before subscribing (the consumer
// group's zero offset, which the batch's row lock needs).
func (r *Relay) prepare(ctx context.Context, table string) error {
	qs, err := r.offsets.BeforeSubscribingQueries(wmsql.BeforeSubscribingQueriesParams{Topic: table, ConsumerGroup: r.group})
	if err != nil {
		return err
	}
	for _, q := range qs {
		if _, err := r.db.ExecContext(ctx, q.Query, q.Args...); err != nil {
			return fmt.Errorf("preparing the offsets of %s: %w", table, err)
		}
	}
	return nil
}

// batch relays one batch of table's rows in one transaction and returns
// how many it relayed.
func (r *Relay) batch(ctx context.Context, table string) (n int, err error) {
	tx, err := r.db.BeginTx(ctx, &sql.TxOptions{Isolation: r.schema.SubscribeIsolationLevel()})
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
			return
		}
		err = tx.Commit()
	}()
	sel, err := r.schema.SelectQuery(wmsql.SelectQueryParams{Topic: table, ConsumerGroup: r.group, OffsetsAdapter: r.offsets})
	if err != nil {
		return 0, err
	}
	rows, err := r.readRows(ctx, tx, sel)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	batch := make([]Routed, 0, len(rows))
	at := make([]int, 0, len(rows)) // at[i]: the row of batch[i]
	for i, row := range rows {
		q, err := r.offsets.ConsumedMessageQuery(wmsql.ConsumedMessageQueryParams{Topic: table, Row: row, ConsumerGroup: r.group})
		if err != nil {
			return 0, err
		}
		if !q.IsZero() {
			if _, err := tx.ExecContext(ctx, q.Query, q.Args...); err != nil {
				return 0, err
			}
		}
		m, err := unwrap(row.Msg)
		if err != nil { // not written by SQLOutbox: skipped, as the forwarder's AckWhenCannotUnwrap does
			r.log.Error("signalswatermill: relay: a row of the outbox is not an enveloped message; skipped", "table", table, "offset", row.Offset, "err", err)
			continue
		}
		m.Msg.SetContext(ctx)
		batch = append(batch, m)
		at = append(at, i)
	}
	held, perr := r.publish(ctx, batch)
	if perr != nil && held == len(batch) {
		perr = nil // the broker holds every message after all
	}
	if perr != nil {
		// Mark the rows before the first one the broker does not hold
		// (and the skipped ones among them), so that a message the
		// broker refuses for good does not have the rows before it
		// published again and again.
		if held == 0 {
			return 0, perr
		}
		rows = rows[:at[held]]
	}
	ack, err := r.offsets.AckMessageQuery(wmsql.AckMessageQueryParams{Topic: table, LastRow: rows[len(rows)-1], Rows: rows, ConsumerGroup: r.group})
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, ack.Query, ack.Args...); err != nil {
		return 0, err
	}
	if perr != nil {
		if err := tx.Commit(); err != nil {
			return 0, err
		}
		return len(rows), perr // the deferred Rollback finds the transaction done
	}
	return len(rows), nil
}

// contended reports a serialization failure (SQLSTATE 40001): on
// PostgreSQL, a relay whose REPEATABLE READ transaction waited for
// another's lock on the partition's offsets.
func contended(err error) bool {
	var st interface{ SQLState() string }
	return errors.As(err, &st) && st.SQLState() == "40001"
}

func (r *Relay) readRows(ctx context.Context, tx *sql.Tx, q wmsql.Query) ([]wmsql.Row, error) {
	rs, err := tx.QueryContext(ctx, q.Query, q.Args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var rows []wmsql.Row
	for rs.Next() {
		row, err := r.schema.UnmarshalMessage(wmsql.UnmarshalMessageParams{Row: rs})
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, rs.Err()
}

// publish publishes batch and returns how many of its leading messages the
// broker holds.
func (r *Relay) publish(ctx context.Context, batch []Routed) (int, error) {
	if len(batch) == 0 {
		return 0, nil
	}
	if r.bpub != nil {
		held, err := r.bpub.PublishBatch(ctx, batch)
		if err == nil {
			held = len(batch)
		}
		return min(max(held, 0), len(batch)), err
	}
	for i, m := range batch {
		if err := r.pub.Publish(m.Topic, m.Msg); err != nil {
			return i, err
		}
	}
	return len(batch), nil
}

// envelope is the JSON the outbox's rows hold: the envelope of Watermill's
// forwarder (components/forwarder), so that its Forwarder reads them too.
type envelope struct {
	DestinationTopic string            `json:"destination_topic"`
	UUID             string            `json:"uuid"`
	Payload          []byte            `json:"payload"`
	Metadata         map[string]string `json:"metadata"`
}

// wrap returns the outbox row's message of msg, bound for topic.
func wrap(topic string, msg *message.Message) (*message.Message, error) {
	b, err := json.Marshal(envelope{DestinationTopic: topic, UUID: msg.UUID, Payload: msg.Payload, Metadata: msg.Metadata})
	if err != nil {
		return nil, err
	}
	return message.NewMessage(watermill.NewUUID(), b), nil
}

func unwrap(msg *message.Message) (Routed, error) {
	var e envelope
	if err := json.Unmarshal(msg.Payload, &e); err != nil {
		return Routed{}, err
	}
	if e.DestinationTopic == "" {
		return Routed{}, errors.New("no destination topic")
	}
	m := message.NewMessage(e.UUID, e.Payload)
	if e.Metadata != nil {
		m.Metadata = e.Metadata
	}
	return Routed{Topic: e.DestinationTopic, Msg: m}, nil
}
