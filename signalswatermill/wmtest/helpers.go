// Package wmtest is the conformance suite of the transports of durable
// receivers (signalsnats, signalsamqp, ...) and its helpers: isolated
// databases on the local PostgreSQL and MariaDB, an application writing to
// the SQL outbox, and an idempotent receiver whose effects can be counted.
// A test that needs a service that is down is skipped, or fails under
// CI=true.
package wmtest

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

	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
	"github.com/gosignals/signals/signalswatermill"
)

// Account is the model the suite saves.
type Account struct {
	ID    uint
	Email string
}

// Effect is what [EffectReceiver] writes: one row per event it applied,
// without a unique key, so that a double application would show.
type Effect struct {
	ID      uint
	EventID string `gorm:"size:36;index"`
}

// Delivery logs every call of [EffectReceiver], outside its transaction.
type Delivery struct {
	ID      uint
	EventID string `gorm:"size:36;index"`
}

// Quiet drops logs (Watermill's Retry logs each retry as an error);
// SIGNALS_TEST_VERBOSE=1 keeps them.
var Quiet = func() *slog.Logger {
	if os.Getenv("SIGNALS_TEST_VERBOSE") != "" {
		return slog.Default()
	}
	return slog.New(slog.DiscardHandler)
}()

// Env returns the environment variable k, or def.
func Env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func postgresDSN() string {
	return Env("SIGNALS_POSTGRES_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable")
}

func mysqlDSN() string { return Env("SIGNALS_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/") }

// Unique returns prefix and ten random hex digits: names of streams,
// queues and receivers that no earlier run used.
func Unique(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Require skips the test when err (reaching service) is not nil, or fails
// it under CI=true.
func Require(t testing.TB, service string, err error) {
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

// Database returns the DSN of an isolated database of dialect
// (signalswatermill.Postgres: a schema of its own; MySQL: a MariaDB
// database of its own), dropped when the test ends.
func Database(t testing.TB, dialect string) string {
	t.Helper()
	name := Unique("s_")
	if dialect == signalswatermill.Postgres {
		admin, err := sql.Open("pgx", postgresDSN())
		if err == nil {
			err = admin.Ping()
		}
		Require(t, "PostgreSQL", err)
		if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + name + " CASCADE"); admin.Close() })
		return postgresDSN() + " search_path=" + name
	}
	admin, err := sql.Open("mysql", mysqlDSN())
	if err == nil {
		err = admin.Ping()
	}
	Require(t, "MariaDB", err)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE " + name); admin.Close() })
	return strings.TrimSuffix(mysqlDSN(), "/") + "/" + name + "?parseTime=true&loc=UTC"
}

// App is the application side of broker mode: a database whose plugin
// writes durable receivers' events to the SQL outbox, with the dead
// letter table and the table of [outboxgorm.Once].
type App struct {
	DB     *gorm.DB
	SQLDB  *sql.DB
	Outbox *signalswatermill.SQLOutbox
	Dead   *signalswatermill.DeadLetterTable
}

// OpenApp opens the database at dsn and creates the tables.
func OpenApp(t testing.TB, dialect, dsn, topicPrefix string) *App {
	t.Helper()
	db, err := Open(dialect, dsn, topicPrefix)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB.DB()
	t.Cleanup(func() { sqlDB.Close() })
	ctx := context.Background()
	if err := db.DB.AutoMigrate(&Account{}, &Effect{}, &Delivery{}); err != nil {
		t.Fatal(err)
	}
	if err := outboxgorm.MigrateOnce(ctx, db.DB); err != nil {
		t.Fatal(err)
	}
	if err := db.Outbox.Init(ctx, sqlDB); err != nil {
		t.Fatal(err)
	}
	if err := db.Dead.Init(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// Open opens the database at dsn with the plugin writing to the SQL
// outbox, without creating anything (for helper processes).
func Open(dialect, dsn, topicPrefix string) (*App, error) {
	var dial gorm.Dialector = postgres.Open(dsn)
	if dialect == signalswatermill.MySQL {
		dial = mysql.Open(dsn)
	}
	ob := &signalswatermill.SQLOutbox{Dialect: dialect, TopicPrefix: topicPrefix, Logger: Quiet}
	db, err := gorm.Open(dial, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, err
	}
	if err := db.Use(signalsgorm.New(signalsgorm.WithOutbox(ob))); err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	return &App{DB: db, SQLDB: sqlDB, Outbox: ob, Dead: &signalswatermill.DeadLetterTable{DB: sqlDB, Outbox: ob}}, nil
}

// Count runs a COUNT query.
func (a *App) Count(t testing.TB, q string) int64 {
	t.Helper()
	var n int64
	if err := a.DB.Raw(q).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// EffectReceiver logs each delivery in the deliveries table and applies its
// effect, a row of effects, once, with [outboxgorm.Once].
func EffectReceiver(db *gorm.DB) func(ctx context.Context, ev outbox.Event[Account]) error {
	return func(ctx context.Context, ev outbox.Event[Account]) error {
		if err := db.WithContext(ctx).Create(&Delivery{EventID: ev.ID}).Error; err != nil {
			return err
		}
		_, err := outboxgorm.Once(ctx, db, func(tx *gorm.DB) error { return tx.Create(&Effect{EventID: ev.ID}).Error })
		return err
	}
}

// WaitProgress waits until count reaches target. It fails only when count
// stops growing for idle, so a slow or loaded machine makes it wait longer
// instead of failing: the wait ends on progress, not on a fixed deadline.
func WaitProgress(t testing.TB, idle time.Duration, what string, count func() int64, target int64) {
	t.Helper()
	last, since := count(), time.Now()
	for last < target {
		time.Sleep(50 * time.Millisecond)
		n := count()
		if n > last {
			last, since = n, time.Now()
			continue
		}
		if time.Since(since) > idle {
			t.Fatalf("waiting for %s: no progress for %v (at %d of %d)", what, idle, last, target)
		}
	}
}
