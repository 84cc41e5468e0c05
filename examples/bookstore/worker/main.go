// Command worker runs the bookstore's durable receiver, the welcome e-mail
// of new authors, in broker mode: the bookstore's database is PostgreSQL,
// signalsgorm writes each durable event to an outbox in the transaction of
// the model change, and an engine carries the events to workers, which
// run in this process.
//
// Usage:
//
//	go run ./bookstore/worker [-engine nats|river] [-postgres DSN] [-demo] [-serve addr] [engine flags]
//
// The engines:
//
//	nats   the Watermill SQL outbox in PostgreSQL, relayed to NATS JetStream,
//	       one durable consumer per receiver (-nats URL, -stream, -topic-prefix)
//	river  River jobs (signalsriver) in PostgreSQL, inserted in the model
//	       change's transaction and worked by a River client; River's
//	       migrations run through its migrator at start
//
// With -demo it creates an author, waits for the welcome e-mail and exits.
// With -serve it serves, until interrupted, /debug/signals (signalsdebug),
// POST /authors (create an author: {"Name": "...", "Email": "..."}), and
// with -engine river River UI at /riverui/ (signalsriverui), which lists
// the welcome e-mails' jobs:
//
//	go run ./bookstore/worker -engine river -serve 127.0.0.1:8080 -demo
//	open http://127.0.0.1:8080/riverui/ and http://127.0.0.1:8080/debug/signals
//
// With both, the demo's author is created and the pages served on. The
// defaults reach the local services (SIGNALS_POSTGRES_DSN and
// SIGNALS_NATS_URL override them).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/examples/bookstore/shop"
	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// Config configures the worker.
type Config struct {
	// Engine names the engine, a key of engines ("nats", "river").
	Engine string
	// Postgres is the DSN of the bookstore's PostgreSQL database.
	Postgres string
	// NATS configures the nats engine.
	NATS NATSConfig
	// Demo creates an author, waits for its welcome e-mail and returns
	// (with Serve, serves on).
	Demo bool
	// Serve is the address the serve mode listens on; empty: no serve
	// mode unless Listener is set.
	Serve string
	// Listener, when not nil, is the serve mode's listener instead of
	// Serve's.
	Listener net.Listener
	Log      *slog.Logger
}

// An engine carries the durable receivers' events from the outbox, written
// in the transaction of each model change, to the workers that run them.
type engine interface {
	// Store is the outbox signalsgorm writes the durable events to.
	Store() outbox.Store
	// Start creates what the engine needs (tables, streams) and runs its
	// relay and the workers of its receivers until ctx is done; each of
	// them sends its end (nil when ctx was done) to errs, which has room
	// for three.
	Start(ctx context.Context, db *gorm.DB, errs chan<- error) error
	// Close releases what Start opened, once ctx is done.
	Close() error
}

// A pager is an engine with web pages of its own, which the serve mode
// mounts next to /debug/signals.
type pager interface {
	// Pages returns the engine's handlers by ServeMux pattern, once
	// started; they serve until ctx is done.
	Pages(ctx context.Context) (map[string]http.Handler, error)
}

// engines are the engines -engine chooses from: each returns the engine
// of the given durable receivers.
var engines = map[string]func(cfg Config, receivers []string) (engine, error){
	"nats":  newNATSEngine,
	"river": newRiverEngine,
}

// Run runs the workers of the bookstore's durable receivers until ctx is
// done, or, with Demo and without the serve mode (Serve, Listener), until
// the demo author's welcome e-mail was sent.
func Run(ctx context.Context, cfg Config, w io.Writer) error {
	newEngine, ok := engines[cfg.Engine]
	if !ok {
		return fmt.Errorf("worker: unknown engine %q: use one of %s", cfg.Engine, strings.Join(slices.Sorted(maps.Keys(engines)), ", "))
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	eng, err := newEngine(cfg, []string{shop.WelcomeEmail})
	if err != nil {
		return err
	}
	r := &shop.Receivers{Catalog: &shop.Catalog{}}
	r.Connect()
	defer r.Disconnect()
	fmt.Fprintf(w, "worker: connecting to PostgreSQL\n")
	db, err := gorm.Open(postgres.Open(cfg.Postgres), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return fmt.Errorf("worker: PostgreSQL at %q: %w", cfg.Postgres, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	defer eng.Close() // before sqlDB.Close
	if err := db.Use(signalsgorm.New(signalsgorm.WithOutbox(eng.Store()))); err != nil {
		return err
	}
	r.DB = db
	if err := signalsgorm.AutoMigrate(db.WithContext(ctx), shop.Models...); err != nil {
		return err
	}
	// The table of outboxgorm.Once, which makes the e-mail exactly once.
	if err := outboxgorm.MigrateOnce(ctx, db); err != nil {
		return fmt.Errorf("worker: creating the table of processed events: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // before eng.Close
	errs := make(chan error, 4)
	if err := eng.Start(ctx, db, errs); err != nil {
		return err
	}
	fmt.Fprintf(w, "worker: running %s (engine %s)\n", shop.WelcomeEmail, cfg.Engine)
	serving := cfg.Serve != "" || cfg.Listener != nil
	if serving {
		stop, err := serve(ctx, cfg, db, eng, w, errs)
		if err != nil {
			return err
		}
		defer stop()
	}
	if cfg.Demo {
		if err := demo(ctx, db, w, errs); err != nil || !serving {
			return err
		}
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-errs:
		return err
	}
}

func main() {
	cfg := Config{}
	flag.StringVar(&cfg.Engine, "engine", "nats", "the engine that carries the events to the workers: "+strings.Join(slices.Sorted(maps.Keys(engines)), ", "))
	flag.StringVar(&cfg.Postgres, "postgres", envOr("SIGNALS_POSTGRES_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable"), "PostgreSQL DSN")
	flag.BoolVar(&cfg.Demo, "demo", false, "create an author, wait for its welcome e-mail, exit (with -serve: serve on)")
	flag.StringVar(&cfg.Serve, "serve", "", "serve /debug/signals, POST /authors and the engine's pages (river: River UI at /riverui/) on this address, e.g. 127.0.0.1:8080")
	cfg.NATS.flags(flag.CommandLine)
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := Run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
