package signalsnats_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsnats"
	"github.com/gosignals/signals/signalswatermill"
)

// Account is the model the tests save.
type Account struct {
	ID    uint
	Email string
}

// Effect is what the idempotent receiver writes: one row per event it
// applied. No unique key: a double application would show.
type Effect struct {
	ID      uint
	EventID string `gorm:"size:36;index"`
}

// Delivery logs every call of the receiver, outside its transaction.
type Delivery struct {
	ID      uint
	EventID string `gorm:"size:36;index"`
}

// quiet drops Watermill's logs below errors (its Retry logs every retry
// as an error); SIGNALS_TEST_VERBOSE=1 shows everything.
var quiet = func() *slog.Logger {
	if os.Getenv("SIGNALS_TEST_VERBOSE") != "" {
		return slog.Default()
	}
	return slog.New(slog.DiscardHandler)
}()

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func natsURL() string { return env("SIGNALS_NATS_URL", nats.DefaultURL) }

func postgresDSN() string {
	return env("SIGNALS_POSTGRES_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable")
}

func mysqlDSN() string { return env("SIGNALS_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/") }

func unique(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// require skips the test when a service is down, or fails it under CI=true.
func require(t testing.TB, service string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s is not reachable (%v)", service, err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " [CI=true: failing instead of skipping]")
	}
	t.Skip(msg)
}

func natsConfig(t testing.TB, url string) signalsnats.Config {
	t.Helper()
	nc, err := nats.Connect(url, nats.Timeout(3*time.Second))
	require(t, "NATS at "+url, err)
	nc.Close()
	cfg := signalsnats.Config{Logger: quiet, URL: url, Stream: unique("T_"), TopicPrefix: unique("t") + ".", AckWait: 30 * time.Second}
	if err := signalsnats.EnsureStream(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = signalsnats.DeleteStream(cfg) })
	return cfg
}

// database returns an isolated database of dialect ("postgres" or
// "mysql"): its DSN (a PostgreSQL schema or a MariaDB database of its own).
func database(t testing.TB, dialect string) string {
	t.Helper()
	name := unique("s_")
	switch dialect {
	case "postgres":
		admin, err := sql.Open("pgx", postgresDSN())
		if err == nil {
			err = admin.Ping()
		}
		require(t, "PostgreSQL", err)
		if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + name + " CASCADE"); admin.Close() })
		return postgresDSN() + " search_path=" + name
	default:
		admin, err := sql.Open("mysql", mysqlDSN())
		if err == nil {
			err = admin.Ping()
		}
		require(t, "MariaDB", err)
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE " + name); admin.Close() })
		return strings.TrimSuffix(mysqlDSN(), "/") + "/" + name + "?parseTime=true&loc=UTC"
	}
}

// app is one side of broker mode: the database with the plugin writing to
// the SQL outbox, and the outbox's dead letter table.
type app struct {
	db     *gorm.DB
	sqlDB  *sql.DB
	outbox *signalswatermill.SQLOutbox
	dead   *signalswatermill.DeadLetterTable
}

func openApp(t testing.TB, dialect, dsn, prefix string) *app {
	t.Helper()
	var dial gorm.Dialector = postgres.Open(dsn)
	if dialect == "mysql" {
		dial = mysql.Open(dsn)
	}
	ob := &signalswatermill.SQLOutbox{Dialect: dialect, TopicPrefix: prefix, Logger: quiet}
	db, err := gorm.Open(dial, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Use(signalsgorm.New(signalsgorm.WithOutbox(ob))); err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	t.Cleanup(func() { sqlDB.Close() })
	ctx := context.Background()
	if err := db.AutoMigrate(&Account{}, &Effect{}, &Delivery{}); err != nil {
		t.Fatal(err)
	}
	emb, err := signalsgorm.NewOutbox(db, signalsgorm.OutboxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := emb.Migrate(ctx); err != nil { // signals_processed, for Once
		t.Fatal(err)
	}
	if err := ob.Init(ctx, sqlDB); err != nil {
		t.Fatal(err)
	}
	dead := &signalswatermill.DeadLetterTable{DB: sqlDB, Outbox: ob}
	if err := dead.Init(ctx); err != nil {
		t.Fatal(err)
	}
	return &app{db: db, sqlDB: sqlDB, outbox: ob, dead: dead}
}

func (a *app) count(t testing.TB, q string) int64 {
	t.Helper()
	var n int64
	if err := a.db.Raw(q).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
