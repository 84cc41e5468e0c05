// Package dbtest opens isolated test databases on SQLite, PostgreSQL and
// MariaDB for the signalsgorm test suites.
//
// PostgreSQL and MariaDB are reached at the addresses in SIGNALS_POSTGRES_DSN
// and SIGNALS_MYSQL_DSN (defaults: the local services on 127.0.0.1, database
// "test"). Each test gets its own schema (PostgreSQL) or database (MariaDB),
// dropped when it ends. When a service cannot be reached the test is
// skipped with a message, unless CI=true, where it fails.
package dbtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	_ "modernc.org/sqlite" // pure-Go SQLite, driver name "sqlite"
)

// Dialects lists the databases the suites run on.
var Dialects = []string{"sqlite", "postgres", "mariadb"}

// SQLiteMemory names, for Open, a fresh in-memory SQLite database on one
// connection: the benchmarks' database, where disk and network do not hide
// the CPU cost.
const SQLiteMemory = "sqlite-memory"

// PostgresDSN returns the PostgreSQL address.
func PostgresDSN() string {
	return env("SIGNALS_POSTGRES_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable")
}

// MySQLDSN returns the MariaDB address (without a database name).
func MySQLDSN() string {
	return env("SIGNALS_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/")
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Config is the gorm configuration tests use; pass another to OpenConfig.
func Config() *gorm.Config {
	return &gorm.Config{Logger: logger.Discard}
}

// An Option adds a step to opening a database.
type Option func(*options)

type options struct {
	plugins      []gorm.Plugin
	models       []any
	sqliteParams string
}

// Use installs plugin on the database (db.Use), before Migrate's models.
func Use(plugin gorm.Plugin) Option {
	return func(o *options) { o.plugins = append(o.plugins, plugin) }
}

// Migrate creates the tables of models (db.AutoMigrate), after the plugins
// are installed.
func Migrate(models ...any) Option {
	return func(o *options) { o.models = append(o.models, models...) }
}

// SQLiteParams appends params ("_txlock=immediate") to a SQLite file
// database's DSN; other dialects ignore it.
func SQLiteParams(params string) Option {
	return func(o *options) { o.sqliteParams = params }
}

// Open opens a fresh database of the given dialect, one of Dialects or
// SQLiteMemory, closed when the test ends.
func Open(tb testing.TB, dialect string, opts ...Option) *gorm.DB {
	tb.Helper()
	return OpenConfig(tb, dialect, Config(), opts...)
}

// OpenConfig is Open with a gorm configuration.
func OpenConfig(tb testing.TB, dialect string, cfg *gorm.Config, opts ...Option) *gorm.DB {
	tb.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var dial gorm.Dialector
	switch dialect {
	case "sqlite":
		dsn := SQLiteDSN(tb)
		if o.sqliteParams != "" {
			dsn += "&" + o.sqliteParams
		}
		dial = sqlite.Dialector{DriverName: "sqlite", DSN: dsn}
	case SQLiteMemory:
		dial = memoryDialector(fmt.Sprintf("mem%d", memories.Add(1)))
	case "postgres":
		dial = postgres.Open(postgresSchema(tb))
	case "mariadb":
		dial = mysql.Open(mysqlDatabase(tb))
	default:
		tb.Fatalf("dbtest: unknown dialect %q", dialect)
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		tb.Fatalf("dbtest: open %s: %v", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sqlDB.Close() })
	if dialect == SQLiteMemory {
		sqlDB.SetMaxOpenConns(1)
	}
	for _, p := range o.plugins {
		if err := db.Use(p); err != nil {
			tb.Fatalf("dbtest: install %s: %v", p.Name(), err)
		}
	}
	if len(o.models) > 0 {
		if err := db.AutoMigrate(o.models...); err != nil {
			tb.Fatalf("dbtest: migrate: %v", err)
		}
	}
	return db
}

// memories numbers the SQLiteMemory databases, each a database of its own.
var memories atomic.Int64

func memoryDialector(name string) gorm.Dialector {
	return sqlite.Dialector{DriverName: "sqlite", DSN: "file:" + name + "?mode=memory&cache=shared"}
}

// Memory opens the in-memory SQLite database called name, shared by the
// pool's connections and kept until the process ends, and panics if it
// cannot: for examples, which have no testing.TB.
func Memory(name string) *gorm.DB {
	db, err := gorm.Open(memoryDialector(name), Config())
	if err != nil {
		panic(fmt.Sprintf("dbtest: open %s: %v", name, err))
	}
	return db
}

// SQLiteDSN returns the DSN of a new SQLite file in the test's temporary
// directory, with foreign keys enforced and a busy timeout.
func SQLiteDSN(tb testing.TB) string {
	return "file:" + filepath.Join(tb.TempDir(), "test.db") + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
}

var unavailable sync.Map // service → error

// Require skips (or, under CI=true, fails) the test when the service cannot
// be reached.
func Require(t testing.TB, service string, ping func() error) {
	t.Helper()
	errv, seen := unavailable.Load(service)
	if !seen {
		errv = ping()
		unavailable.Store(service, errv)
	}
	if err, _ := errv.(error); err != nil {
		msg := fmt.Sprintf("dbtest: %s is not reachable (%v); start it or set its DSN variable", service, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " [CI=true: failing instead of skipping]")
		}
		t.Skip(msg)
	}
}

func name() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "t_" + hex.EncodeToString(b)
}

func postgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresDSN()
	var admin *sql.DB
	Require(t, "PostgreSQL", func() error {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return err
		}
		defer db.Close()
		return pingTimeout(db)
	})
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := name()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	return base + " search_path=" + schema
}

func mysqlDatabase(t testing.TB) string {
	t.Helper()
	base := MySQLDSN()
	Require(t, "MariaDB", func() error {
		db, err := sql.Open("mysql", base)
		if err != nil {
			return err
		}
		defer db.Close()
		return pingTimeout(db)
	})
	admin, err := sql.Open("mysql", base)
	if err != nil {
		t.Fatal(err)
	}
	dbName := name()
	if _, err := admin.Exec("CREATE DATABASE " + dbName); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE " + dbName)
		admin.Close()
	})
	dsn := strings.TrimSuffix(base, "/") + "/" + dbName
	if strings.Contains(base, "/?") {
		dsn = strings.Replace(base, "/?", "/"+dbName+"?", 1)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "parseTime=true&loc=UTC"
}

func pingTimeout(db *sql.DB) error {
	done := make(chan error, 1)
	go func() { done <- db.Ping() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		return fmt.Errorf("timed out after 5s")
	}
}
