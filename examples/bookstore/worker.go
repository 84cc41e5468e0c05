package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
	"github.com/gosignals/signals/signalsnats"
	"github.com/gosignals/signals/signalswatermill"
)

// WorkerConfig configures the broker mode: the bookstore's database on
// PostgreSQL, whose outbox a relay forwards to NATS JetStream, where the
// workers consume one durable consumer per durable receiver.
type WorkerConfig struct {
	Postgres string // DSN of the PostgreSQL database
	NATS     string // URL of the NATS server
	// Stream and TopicPrefix name the JetStream stream and the outbox's
	// topics (several bookstores can share a server).
	Stream, TopicPrefix string
	// Demo creates an author, waits for its welcome e-mail and returns.
	Demo bool
	Log  *slog.Logger
}

// RunWorker runs the relay (PostgreSQL outbox → NATS) and the workers of
// the durable receivers until ctx is done, or, with Demo, until the demo
// author's welcome e-mail was sent.
func RunWorker(ctx context.Context, cfg WorkerConfig, w io.Writer) error {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	r := &Receivers{Catalog: &Catalog{}}
	r.Connect()
	defer r.Disconnect()
	fmt.Fprintf(w, "worker: connecting to PostgreSQL\n")
	ob := &signalswatermill.SQLOutbox{Dialect: signalswatermill.Postgres, TopicPrefix: cfg.TopicPrefix, Logger: cfg.Log}
	db, err := gorm.Open(postgres.Open(cfg.Postgres), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return fmt.Errorf("worker: PostgreSQL at %q: %w", cfg.Postgres, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	if err := db.Use(signalsgorm.New(signalsgorm.WithOutbox(ob))); err != nil {
		return err
	}
	r.db = db
	if err := signalsgorm.AutoMigrate(db.WithContext(ctx), models...); err != nil {
		return err
	}
	dead := &signalswatermill.DeadLetterTable{DB: sqlDB, Outbox: ob}
	if err := errors.Join(ob.Init(ctx, sqlDB), dead.Init(ctx), outboxgorm.MigrateOnce(ctx, db)); err != nil {
		return fmt.Errorf("worker: creating the outbox tables: %w", err)
	}
	fmt.Fprintf(w, "worker: connecting to NATS JetStream at %s\n", cfg.NATS)
	ncfg := signalsnats.Config{URL: cfg.NATS, Stream: cfg.Stream, TopicPrefix: cfg.TopicPrefix, Logger: cfg.Log}
	if err := signalsnats.EnsureStream(ctx, ncfg); err != nil {
		return fmt.Errorf("worker: NATS at %s: %w", cfg.NATS, err)
	}
	pub, err := signalsnats.Publisher(ncfg)
	if err != nil {
		return err
	}
	relay, err := ob.Relay(sqlDB, pub)
	if err != nil {
		return err
	}
	defer relay.Close()
	wk, err := signalswatermill.NewWorker(signalswatermill.WorkerConfig{
		Receivers: []string{WelcomeEmail}, TopicPrefix: cfg.TopicPrefix,
		Subscriber: signalsnats.Subscriber(ncfg), DeadLetters: dead, Logger: cfg.Log,
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, 2)
	go func() { errs <- relay.Run(ctx) }()
	go func() { errs <- wk.Run(ctx) }()
	fmt.Fprintf(w, "worker: relaying the outbox to NATS and running %s\n", WelcomeEmail)

	if cfg.Demo {
		return demo(ctx, db, w, errs)
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-errs:
		return err
	}
}

// demo creates an author and waits for the worker to send its welcome
// e-mail.
func demo(ctx context.Context, db *gorm.DB, w io.Writer, errs <-chan error) error {
	a := Author{Name: "Octavia Butler", Email: fmt.Sprintf("octavia+%d@example.com", time.Now().UnixNano())}
	if err := db.WithContext(ctx).Create(&a).Error; err != nil {
		return err
	}
	fmt.Fprintf(w, "worker: created author %d; the welcome e-mail travels PostgreSQL → NATS → worker\n", a.ID)
	deadline := time.After(60 * time.Second)
	for {
		var mail Email
		err := db.WithContext(ctx).Where(&Email{To: a.Email}).First(&mail).Error
		if err == nil {
			fmt.Fprintf(w, "worker: e-mail to %s: %s\n", mail.To, mail.Subject)
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		select {
		case err := <-errs:
			return fmt.Errorf("worker stopped: %w", err)
		case <-deadline:
			return errors.New("worker: no welcome e-mail after 60s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func workerMain(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ExitOnError)
	cfg := WorkerConfig{}
	fs.StringVar(&cfg.Postgres, "postgres", envOr("SIGNALS_POSTGRES_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable"), "PostgreSQL DSN")
	fs.StringVar(&cfg.NATS, "nats", envOr("SIGNALS_NATS_URL", "nats://127.0.0.1:4222"), "NATS URL")
	fs.StringVar(&cfg.Stream, "stream", "BOOKSTORE", "JetStream stream")
	fs.StringVar(&cfg.TopicPrefix, "topic-prefix", "bookstore.", "prefix of the outbox topics")
	fs.BoolVar(&cfg.Demo, "demo", false, "create an author, wait for its welcome e-mail, exit")
	fs.Parse(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return RunWorker(ctx, cfg, os.Stdout)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
