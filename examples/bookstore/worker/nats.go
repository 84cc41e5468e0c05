package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsnats"
	"github.com/gosignals/signals/signalswatermill"
)

// NATSConfig configures the nats engine: the Watermill SQL outbox in the
// bookstore's PostgreSQL database, which a relay forwards to NATS
// JetStream, where the workers consume one durable consumer per durable
// receiver.
type NATSConfig struct {
	URL string // of the NATS server
	// Stream and TopicPrefix name the JetStream stream and the outbox's
	// topics (several bookstores can share a server).
	Stream, TopicPrefix string
}

func (c *NATSConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.URL, "nats", envOr("SIGNALS_NATS_URL", "nats://127.0.0.1:4222"), "nats engine: NATS URL")
	fs.StringVar(&c.Stream, "stream", "BOOKSTORE", "nats engine: JetStream stream")
	fs.StringVar(&c.TopicPrefix, "topic-prefix", "bookstore.", "nats engine: prefix of the outbox topics")
}

type natsEngine struct {
	cfg       signalsnats.Config
	receivers []string
	log       *slog.Logger
	outbox    *signalswatermill.SQLOutbox
	relay     *signalswatermill.Relay
}

func newNATSEngine(cfg Config, receivers []string) (engine, error) {
	c := cfg.NATS
	return &natsEngine{
		cfg:       signalsnats.Config{URL: c.URL, Stream: c.Stream, TopicPrefix: c.TopicPrefix, Logger: cfg.Log},
		receivers: receivers,
		log:       cfg.Log,
		outbox:    &signalswatermill.SQLOutbox{Dialect: signalswatermill.Postgres, TopicPrefix: c.TopicPrefix, Logger: cfg.Log},
	}, nil
}

func (e *natsEngine) Store() outbox.Store { return e.outbox }

func (e *natsEngine) Start(ctx context.Context, db *gorm.DB, errs chan<- error) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	dead := &signalswatermill.DeadLetterTable{DB: sqlDB, Outbox: e.outbox}
	if err := errors.Join(e.outbox.Init(ctx, sqlDB), dead.Init(ctx)); err != nil {
		return fmt.Errorf("worker: creating the outbox tables: %w", err)
	}
	if err := signalsnats.EnsureStream(ctx, e.cfg); err != nil {
		return fmt.Errorf("worker: NATS at %s: %w", e.cfg.URL, err)
	}
	pub, err := signalsnats.Publisher(e.cfg)
	if err != nil {
		return err
	}
	if e.relay, err = e.outbox.Relay(sqlDB, pub); err != nil {
		return err
	}
	wk, err := signalswatermill.NewWorker(signalswatermill.WorkerConfig{
		Receivers: e.receivers, TopicPrefix: e.cfg.TopicPrefix,
		Subscriber: signalsnats.Subscriber(e.cfg), DeadLetters: dead, Logger: e.log,
	})
	if err != nil {
		return err
	}
	go func() { errs <- e.relay.Run(ctx) }()
	go func() { errs <- wk.Run(ctx) }()
	return nil
}

func (e *natsEngine) Close() error {
	if e.relay == nil {
		return nil
	}
	return e.relay.Close()
}
