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
	"testing"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	_ "modernc.org/sqlite" // pure-Go SQLite, driver name "sqlite"
)

// Dialects lists the databases Each runs on.
var Dialects = []string{"sqlite", "postgres", "mariadb"}

// PostgresDSN and MySQLDSN return the service addresses.
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

// Each runs f in a subtest per database, each on a fresh, isolated database.
func Each(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			f(t, Open(t, d))
		})
	}
}

// Config is the gorm configuration tests use; override fields per test with
// OpenConfig.
func Config() *gorm.Config {
	return &gorm.Config{Logger: logger.Discard}
}

// Open opens a fresh database of the given dialect.
func Open(t testing.TB, dialect string) *gorm.DB {
	t.Helper()
	return OpenConfig(t, dialect, Config())
}

// OpenConfig is Open with a gorm configuration.
func OpenConfig(t testing.TB, dialect string, cfg *gorm.Config) *gorm.DB {
	t.Helper()
	var dial gorm.Dialector
	switch dialect {
	case "sqlite":
		dial = sqlite.Dialector{DriverName: "sqlite", DSN: SQLiteDSN(t)}
	case "postgres":
		dial = postgres.Open(postgresSchema(t))
	case "mariadb":
		dial = mysql.Open(mysqlDatabase(t))
	default:
		t.Fatalf("dbtest: unknown dialect %q", dialect)
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	return db
}

// SQLiteDSN returns the DSN of a new SQLite file in the test's temporary
// directory, with foreign keys enforced and a busy timeout.
func SQLiteDSN(t testing.TB) string {
	return "file:" + filepath.Join(t.TempDir(), "test.db") + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
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
