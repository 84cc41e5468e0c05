// Package signalsnats is the NATS JetStream transport of durable receivers:
// the relay publishes the outbox's events to a stream, with the event ID
// as JetStream's de-duplication ID (Nats-Msg-Id), and workers consume one
// durable consumer per receiver. It uses watermill-nats's pkg/nats.
//
// Streams and consumers are created by this package ([EnsureStream],
// [Subscriber]) and bound by name, never created by the subscription:
// watermill-nats would otherwise delete a consumer it created when the
// worker stops, and the next one would get every acknowledged event
// again (watermill#671).
//
// Broker mode in short: the application writes its durable receivers'
// events to a PostgreSQL outbox in each save's transaction, a relay
// forwards them to JetStream, and workers, in this process or others,
// consume one durable consumer per receiver:
//
//	ob := &signalswatermill.SQLOutbox{Dialect: signalswatermill.Postgres, Partitions: 4}
//	err := db.Use(signalsgorm.New(signalsgorm.WithOutbox(ob)))
//	...
//	cfg := signalsnats.Config{URL: "nats://127.0.0.1:4222"}
//	err = signalsnats.EnsureStream(ctx, cfg)
//	pub, err := signalsnats.Publisher(cfg)
//	relay, err := ob.Relay(sqlDB, pub) // run relay.Run(ctx)
//	w, err := signalswatermill.NewWorker(signalswatermill.WorkerConfig{
//		Subscriber: signalsnats.Subscriber(cfg), DeadLetters: dead,
//	}) // run w.Run(ctx)
//
// The bookstore example runs the whole of it, tested end to end against
// PostgreSQL and NATS: go run ./examples/bookstore/worker -engine nats
// -postgres DSN -nats URL -demo (examples/bookstore/worker/nats.go in the
// repository).
package signalsnats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalswatermill"
)

// Config describes the stream durable receivers use.
type Config struct {
	// URL of the NATS server; default nats.DefaultURL.
	URL string
	// Stream is the stream's name; default "SIGNALS".
	Stream string
	// TopicPrefix must be the outbox's (signalswatermill.SQLOutbox); the
	// stream's subject is TopicPrefix + "signals.>".
	TopicPrefix string
	// Duplicates is the stream's de-duplication window; default 10
	// minutes. A relay that re-sends an event within it is dropped by the
	// server; later, the receiver gets it twice (with the same event ID).
	Duplicates time.Duration
	// AckWait is how long the server waits for a worker's acknowledgement
	// before redelivering; default 2 minutes. Keep it above the workers'
	// retry budget.
	AckWait time.Duration
	// MaxDeliver caps the server's deliveries of one event to one receiver;
	// default 20. The workers retry failures in-process and dead-letter
	// them, so the server redelivers only after a worker died or overran
	// AckWait; past MaxDeliver it gives up on the event for that receiver
	// (and publishes a MAX_DELIVERIES advisory).
	MaxDeliver int
	// Options are extra connection options; the package adds unlimited
	// reconnection.
	Options []nats.Option
	// Logger receives Watermill's logs; default slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.URL == "" {
		c.URL = nats.DefaultURL
	}
	if c.Stream == "" {
		c.Stream = "SIGNALS"
	}
	if c.Duplicates <= 0 {
		c.Duplicates = 10 * time.Minute
	}
	if c.AckWait <= 0 {
		c.AckWait = 2 * time.Minute
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 20
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

func (c Config) options() []nats.Option {
	return append([]nats.Option{nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond)}, c.Options...)
}

// Durable returns the durable consumer name of a receiver: its name with
// '.' replaced by '_' (NATS forbids dots there).
func Durable(receiver string) string { return strings.ReplaceAll(receiver, ".", "_") }

// EnsureStream creates the stream, or updates its subjects and window.
func EnsureStream(ctx context.Context, cfg Config) error {
	cfg = cfg.withDefaults()
	nc, js, err := connect(cfg)
	if err != nil {
		return err
	}
	defer nc.Close()
	sc := &nats.StreamConfig{
		Name:       cfg.Stream,
		Subjects:   []string{cfg.TopicPrefix + "signals.>"},
		Storage:    nats.FileStorage,
		Duplicates: cfg.Duplicates,
	}
	if _, err := js.StreamInfo(cfg.Stream, nats.Context(ctx)); errors.Is(err, nats.ErrStreamNotFound) {
		_, err = js.AddStream(sc, nats.Context(ctx))
		if err != nil {
			return fmt.Errorf("signalsnats: creating stream %s: %w", cfg.Stream, err)
		}
		return nil
	} else if err != nil {
		return fmt.Errorf("signalsnats: stream %s: %w", cfg.Stream, err)
	}
	if _, err := js.UpdateStream(sc, nats.Context(ctx)); err != nil {
		return fmt.Errorf("signalsnats: updating stream %s: %w", cfg.Stream, err)
	}
	return nil
}

// DeleteStream deletes the stream (for tests and tear-down).
func DeleteStream(cfg Config) error {
	cfg = cfg.withDefaults()
	nc, js, err := connect(cfg)
	if err != nil {
		return err
	}
	defer nc.Close()
	return js.DeleteStream(cfg.Stream)
}

func connect(cfg Config) (*nats.Conn, nats.JetStreamContext, error) {
	nc, err := nats.Connect(cfg.URL, cfg.options()...)
	if err != nil {
		return nil, nil, fmt.Errorf("signalsnats: connecting to %s: %w", cfg.URL, err)
	}
	js, err := nc.JetStream()
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("signalsnats: %w", err)
	}
	return nc, js, nil
}

// Publisher returns the relay's publisher: JetStream, with each message's
// UUID (the event ID) as Nats-Msg-Id, returning only once the server has
// acknowledged (stored) the message. It implements
// signalswatermill.BatchPublisher: the relay's batches are published
// asynchronously, the whole batch in flight, and PublishBatch returns when
// every message of it is acknowledged.
func Publisher(cfg Config) (message.Publisher, error) {
	cfg = cfg.withDefaults()
	nc, err := nats.Connect(cfg.URL, cfg.options()...)
	if err != nil {
		return nil, fmt.Errorf("signalsnats: connecting to %s: %w", cfg.URL, err)
	}
	js, err := nc.JetStream(nats.PublishAsyncMaxPending(maxPending), nats.PublishAsyncTimeout(ackTimeout))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("signalsnats: %w", err)
	}
	return &publisher{nc: nc, js: js, url: cfg.URL}, nil
}

// maxPending bounds the asynchronous publishes in flight on one connection
// (nats.go blocks the next one while it is reached); an acknowledgement
// not received within ackTimeout fails its publish, as a synchronous
// publish does after nats.go's default wait.
const (
	maxPending = 1024
	ackTimeout = 5 * time.Second
)

type publisher struct {
	nc  *nats.Conn
	js  nats.JetStreamContext
	url string
}

var _ signalswatermill.BatchPublisher = (*publisher)(nil)

// msg is the NATS message of m on topic, with watermill-nats's headers (so
// its subscribers read it) and the event ID as Nats-Msg-Id.
func msg(topic string, m *message.Message) *nats.Msg {
	nm, _ := (&wmnats.NATSMarshaler{}).Marshal(topic, m) // never fails
	nm.Header.Set(nats.MsgIdHdr, m.UUID)
	return nm
}

// Publish publishes each message and waits for its acknowledgement before
// the next, at most 5 s unless the message's context has a deadline.
func (p *publisher) Publish(topic string, messages ...*message.Message) error {
	for _, m := range messages {
		if err := p.publishOne(topic, m); err != nil {
			return err
		}
	}
	return nil
}

func (p *publisher) publishOne(topic string, m *message.Message) error {
	ctx := m.Context()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ackTimeout)
		defer cancel()
	}
	if _, err := p.js.PublishMsg(msg(topic, m), nats.Context(ctx)); err != nil {
		return fmt.Errorf("signalsnats: publishing %s to %s: %w", m.UUID, topic, err)
	}
	return nil
}

// PublishBatch publishes the batch asynchronously and waits for every
// acknowledgement. On a failure (an acknowledgement not received within
// 5 s is one) it returns the number of leading messages acknowledged and
// the first failure.
func (p *publisher) PublishBatch(ctx context.Context, batch []signalswatermill.Routed) (int, error) {
	if st := p.nc.Status(); st != nats.CONNECTED {
		// While reconnecting, nats.go would buffer the messages and the
		// batch would wait out ackTimeout: fail now, the relay retries.
		return 0, fmt.Errorf("signalsnats: publishing a batch of %d: the connection to %s is %s", len(batch), p.url, st)
	}
	futures := make([]nats.PubAckFuture, 0, len(batch))
	var perr error
	for _, r := range batch {
		// StallWait: with several partitions' batches in flight, wait
		// for room rather than fail after nats.go's default 200 ms.
		f, err := p.js.PublishMsgAsync(msg(r.Topic, r.Msg), nats.StallWait(ackTimeout))
		if err != nil {
			perr = fmt.Errorf("signalsnats: publishing %s to %s: %w", r.Msg.UUID, r.Topic, err)
			break
		}
		futures = append(futures, f)
	}
	for i, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return i, fmt.Errorf("signalsnats: publishing %s to %s: %w", batch[i].Msg.UUID, batch[i].Topic, err)
		case <-ctx.Done():
			return i, ctx.Err()
		}
	}
	return len(futures), perr
}

// Close closes the publisher's connection.
func (p *publisher) Close() error {
	p.nc.Close()
	return nil
}

// Subscriber creates (or keeps) the durable consumer of receiver r, filtered
// on its topic, and returns a subscriber bound to it; the consumer's queue
// group spreads the events over every worker process of the receiver.
// Use it as signalswatermill.WorkerConfig.Subscriber.
func Subscriber(cfg Config) func(r outbox.Receiver) (message.Subscriber, error) {
	cfg = cfg.withDefaults()
	return func(r outbox.Receiver) (message.Subscriber, error) {
		durable := Durable(r.Name)
		if err := ensureConsumer(cfg, durable, cfg.TopicPrefix+r.Topic()); err != nil {
			return nil, err
		}
		sub, err := wmnats.NewSubscriber(wmnats.SubscriberConfig{
			URL:              cfg.URL,
			QueueGroupPrefix: durable,
			SubscribersCount: 1,
			AckWaitTimeout:   cfg.AckWait,
			CloseTimeout:     10 * time.Second,
			NatsOptions:      cfg.options(),
			Unmarshaler:      &wmnats.NATSMarshaler{},
			JetStream: wmnats.JetStreamConfig{
				SubscribeOptions:  []nats.SubOpt{nats.Bind(cfg.Stream, durable), nats.ManualAck()},
				DurableCalculator: func(string, string) string { return durable },
			},
		}, watermill.NewSlogLogger(cfg.Logger))
		if err != nil {
			return nil, fmt.Errorf("signalsnats: %w", err)
		}
		return sub, nil
	}
}

func ensureConsumer(cfg Config, durable, subject string) error {
	nc, js, err := connect(cfg)
	if err != nil {
		return err
	}
	defer nc.Close()
	if _, err := js.ConsumerInfo(cfg.Stream, durable); err == nil {
		return nil
	} else if !errors.Is(err, nats.ErrConsumerNotFound) {
		return fmt.Errorf("signalsnats: consumer %s: %w", durable, err)
	}
	_, err = js.AddConsumer(cfg.Stream, &nats.ConsumerConfig{
		Durable:        durable,
		DeliverSubject: "_signals_deliver." + cfg.Stream + "." + durable,
		DeliverGroup:   durable,
		DeliverPolicy:  nats.DeliverAllPolicy,
		AckPolicy:      nats.AckExplicitPolicy,
		AckWait:        cfg.AckWait,
		MaxDeliver:     cfg.MaxDeliver,
		MaxAckPending:  1000,
		FilterSubject:  subject,
	})
	if err != nil {
		return fmt.Errorf("signalsnats: creating consumer %s: %w", durable, err)
	}
	return nil
}

// Stats returns the backlog of each receiver's consumer: Pending counts
// the events not delivered yet plus those delivered and not acknowledged.
// Lag is not known to the server and is left 0.
func Stats(ctx context.Context, cfg Config, receivers ...string) ([]outbox.Stats, error) {
	cfg = cfg.withDefaults()
	nc, js, err := connect(cfg)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	out := make([]outbox.Stats, 0, len(receivers))
	for _, r := range receivers {
		ci, err := js.ConsumerInfo(cfg.Stream, Durable(r), nats.Context(ctx))
		if err != nil {
			return nil, fmt.Errorf("signalsnats: consumer of %s: %w", r, err)
		}
		out = append(out, outbox.Stats{Receiver: r, Pending: int64(ci.NumPending) + int64(ci.NumAckPending),
			Delivered: int64(ci.AckFloor.Consumer)})
	}
	return out, nil
}
