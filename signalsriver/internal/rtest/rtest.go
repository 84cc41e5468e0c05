// Package rtest opens isolated databases on SQLite and PostgreSQL for the
// tests of package signalsriver, with the GORM plugin writing durable
// receivers' events as River jobs, and holds what those tests share: an
// idempotent receiver whose effects can be counted, and waits that end on
// a lack of progress.
//
// PostgreSQL is reached at SIGNALS_POSTGRES_DSN (default: the local
// service on 127.0.0.1, database "test"); each test gets a schema of its
// own, dropped when it ends. When it cannot be reached the test is
// skipped with a message, unless CI=true, where it fails.
package rtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	_ "modernc.org/sqlite" // pure-Go SQLite, driver name "sqlite"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
	"github.com/gosignals/signals/signalsriver"
)

// Dialects lists the databases the tests run on.
var Dialects = []string{signalsriver.SQLite, signalsriver.Postgres}

// Account is the model the tests save.
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
	Attempt int
}

// Quiet drops logs (River logs each failed attempt);
// SIGNALS_TEST_VERBOSE=1 keeps them.
var Quiet = func() *slog.Logger {
	if os.Getenv("SIGNALS_TEST_VERBOSE") != "" {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}()

func postgresDSN() string {
	if v := os.Getenv("SIGNALS_POSTGRES_DSN"); v != "" {
		return v
	}
	return "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable"
}

var unavailable sync.Map // service → error

// Require skips the test when the service cannot be reached (ping
// fails), or fails it under CI=true.
func Require(t testing.TB, service string, ping func() error) {
	t.Helper()
	v, seen := unavailable.Load(service)
	if !seen {
		v = ping()
		unavailable.Store(service, v)
	}
	if err, _ := v.(error); err != nil {
		msg := fmt.Sprintf("rtest: %s is not reachable (%v); start it or set its DSN variable", service, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " [CI=true: failing instead of skipping]")
		}
		t.Skip(msg)
	}
}

// Unique returns prefix and ten random hex digits.
func Unique(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// DSN returns the DSN of an isolated database of dialect: a SQLite file in
// the test's temporary directory, or a PostgreSQL schema of its own,
// dropped when the test ends.
func DSN(t testing.TB, dialect string) string {
	t.Helper()
	if dialect == signalsriver.SQLite {
		return SQLiteDSN(filepath.Join(t.TempDir(), "test.db"))
	}
	Require(t, "PostgreSQL", func() error {
		db, err := sql.Open("pgx", postgresDSN())
		if err != nil {
			return err
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return db.PingContext(ctx)
	})
	admin, err := sql.Open("pgx", postgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	schema := Unique("r_")
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("rtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	return postgresDSN() + " search_path=" + schema
}

// SQLiteDSN returns the DSN of the SQLite file at path: WAL, a busy
// timeout, and transactions that take the write lock when they begin
// (_txlock=immediate), so that River's transactions and the
// application's wait for each other instead of failing with
// SQLITE_BUSY.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate"
}

// Dialector returns GORM's dialector of dialect for dsn.
func Dialector(dialect, dsn string) gorm.Dialector {
	if dialect == signalsriver.SQLite {
		return sqlite.Dialector{DriverName: "sqlite", DSN: dsn}
	}
	return postgres.Open(dsn)
}

// GormConfig is the GORM configuration of the tests: no logs.
func GormConfig() *gorm.Config { return &gorm.Config{Logger: logger.Discard} }

// OpenDSN opens the database at dsn with the plugin writing durable
// receivers' events to eng, without creating anything.
func OpenDSN(dialect, dsn string, eng *signalsriver.Engine) (*gorm.DB, error) {
	db, err := gorm.Open(Dialector(dialect, dsn), GormConfig())
	if err != nil {
		return nil, err
	}
	if err := db.Use(signalsgorm.New(signalsgorm.WithOutbox(eng))); err != nil {
		return nil, err
	}
	return db, nil
}

// Open opens the database at dsn with the plugin writing to eng, runs
// River's migrations and creates the tables of the models the tests use.
// It is closed when the test ends.
func Open(t testing.TB, dialect, dsn string, eng *signalsriver.Engine) *gorm.DB {
	t.Helper()
	db, err := OpenDSN(dialect, dsn, eng)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	t.Cleanup(func() { sqlDB.Close() })
	if err := eng.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if err := db.AutoMigrate(&Account{}, &Effect{}, &Delivery{}); err != nil {
		t.Fatal(err)
	}
	return db
}

// Count runs a COUNT query.
func Count(t testing.TB, db *gorm.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// EffectReceiver logs each delivery in the deliveries table and applies
// its effect, a row of effects, once, with outboxgorm.Once.
func EffectReceiver(db *gorm.DB) func(ctx context.Context, ev outbox.Event[Account]) error {
	return func(ctx context.Context, ev outbox.Event[Account]) error {
		if err := db.WithContext(ctx).Create(&Delivery{EventID: ev.ID, Attempt: ev.Delivery.Attempt}).Error; err != nil {
			return err
		}
		_, err := outboxgorm.Once(ctx, db, func(tx *gorm.DB) error { return tx.Create(&Effect{EventID: ev.ID}).Error })
		return err
	}
}

// Run runs w until the test ends.
func Run(t testing.TB, w *signalsriver.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	})
}

// WaitProgress waits until count reaches target. It fails only when count
// stops growing for idle, so a slow or loaded machine makes it wait longer
// instead of failing: the wait ends on a lack of progress, not on a fixed
// deadline.
func WaitProgress(t testing.TB, idle time.Duration, what string, count func() int64, target int64) {
	t.Helper()
	last, since := count(), time.Now()
	for last < target {
		time.Sleep(20 * time.Millisecond)
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
