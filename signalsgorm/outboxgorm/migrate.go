package outboxgorm

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
)

// SchemaTable, "signals_outbox_schema", records the versions of the
// outbox's schema that [Outbox.Migrate] applied.
const SchemaTable = outboxsql.Schema

// SchemaVersion is the version of the outbox's schema this release
// reads and writes: the number of its last migration file.
const SchemaVersion = 2

//go:embed migrations
var migrationFiles embed.FS

// Migrations returns the versioned SQL files of the outbox's tables for a
// database of dialect ("sqlite", "postgres" or "mysql", as gorm's
// Dialector.Name says; MariaDB is "mysql"): NNNN_name.up.sql, applied in
// the order of their numbers. [Outbox.Migrate] applies them itself; hand
// them to goose, golang-migrate or atlas instead to keep every schema
// change in one tool (docs/durable.md shows how). Each file starts with
// goose's "-- +goose Up" annotation, a comment to the others.
func Migrations(dialect string) (fs.FS, error) {
	switch dialect {
	case "sqlite", "postgres", "mysql":
		return fs.Sub(migrationFiles, "migrations/"+dialect)
	}
	return nil, fmt.Errorf("outboxgorm: Migrations: no migrations for dialect %q (have sqlite, postgres, mysql)", dialect)
}

// migration is one versioned file.
type migration struct {
	version    int
	name       string
	statements []string
}

// migrations reads the files of dialect, in version order.
func migrations(dialect string) ([]migration, error) {
	fsys, err := Migrations(dialect)
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, "*.up.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, name := range names {
		num, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("outboxgorm: migration file %s has no version number", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: path.Base(name), statements: splitSQL(string(b))})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	return out, nil
}

// splitSQL splits a file into its statements: comment lines dropped, a
// statement ending with a semicolon at the end of a line.
func splitSQL(file string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.Lines(file) {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			if q := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"); q != "" {
				out = append(out, q)
			}
			cur.Reset()
		}
	}
	if q := strings.TrimSpace(cur.String()); q != "" {
		out = append(out, q)
	}
	return out
}

// Migrate brings the outbox's tables to [SchemaVersion]: it applies the
// files of [Migrations] newer than the version recorded in [SchemaTable],
// and records each. It is safe to run from several processes at once: on
// PostgreSQL the whole run is one transaction under an advisory lock, on
// SQLite one write transaction, on MySQL/MariaDB (where DDL commits at
// once) each file runs under a named lock (GET_LOCK).
//
// The first file creates the tables as earlier releases did, only where
// they are missing, and the second turns the integer status of their rows
// into text ('pending', 'delivered', 'dead'): tables made by an earlier
// release are upgraded in place.
func (o *Outbox) Migrate(ctx context.Context) error {
	if err := Migrate(ctx, o.db); err != nil {
		return err
	}
	return nil
}

// Migrate is [Outbox.Migrate] for a database without an Outbox value (a
// deployment step, the outbox command); db needs no plugin.
func Migrate(ctx context.Context, db *gorm.DB) error {
	dialect := db.Dialector.Name()
	files, err := migrations(dialect)
	if err != nil {
		return err
	}
	db = db.WithContext(ctx)
	if dialect == "sqlite" { // SQLite's lock is a write to this table
		if err := db.Exec(createSchema).Error; err != nil {
			return fmt.Errorf("outboxgorm: Migrate: %w", err)
		}
	}
	switch dialect {
	case "mysql":
		err = db.Connection(func(conn *gorm.DB) error { return migrateLocked(conn, files) })
	default:
		err = db.Transaction(func(tx *gorm.DB) error { return migrateTx(tx, dialect, files) })
	}
	if err != nil {
		return fmt.Errorf("outboxgorm: Migrate: %w", err)
	}
	return nil
}

// createSchema creates SchemaTable. It runs under the lock (two
// PostgreSQL sessions creating one table at once collide).
const createSchema = `CREATE TABLE IF NOT EXISTS ` + SchemaTable + ` (
	version INTEGER NOT NULL PRIMARY KEY,
	name VARCHAR(255) NOT NULL,
	applied_at BIGINT NOT NULL
)`

// migrateTx applies the files in one transaction, after taking the lock
// that keeps other processes out until it commits.
func migrateTx(tx *gorm.DB, dialect string, files []migration) error {
	lock := "DELETE FROM " + SchemaTable + " WHERE version < 0" // SQLite: a write takes the database's lock
	if dialect == "postgres" {
		lock = "SELECT pg_advisory_xact_lock(7410023651)"
	}
	if err := tx.Exec(lock).Error; err != nil {
		return err
	}
	if dialect == "postgres" {
		if err := tx.Exec(createSchema).Error; err != nil {
			return err
		}
	}
	current, err := schemaVersion(tx)
	if err != nil {
		return err
	}
	for _, m := range files {
		if m.version > current {
			if err := apply(tx, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// migrateLocked applies the files on one connection holding a named lock.
func migrateLocked(conn *gorm.DB, files []migration) error {
	var got *int
	if err := conn.Raw("SELECT GET_LOCK('signals_outbox_migrate', 60)").Scan(&got).Error; err != nil {
		return err
	}
	if got == nil || *got != 1 {
		return fmt.Errorf("another process holds the lock signals_outbox_migrate (waited 60s)")
	}
	defer conn.Exec("SELECT RELEASE_LOCK('signals_outbox_migrate')")
	if err := conn.Exec(createSchema).Error; err != nil {
		return err
	}
	current, err := schemaVersion(conn)
	if err != nil {
		return err
	}
	for _, m := range files {
		if m.version > current {
			if err := apply(conn, m); err != nil {
				return err
			}
		}
	}
	return nil
}

func schemaVersion(db *gorm.DB) (int, error) {
	var v *int
	if err := db.Raw("SELECT MAX(version) FROM " + SchemaTable).Scan(&v).Error; err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	if *v > SchemaVersion {
		return 0, fmt.Errorf("the outbox's schema is at version %d, newer than this release's %d: upgrade the program", *v, SchemaVersion)
	}
	return *v, nil
}

// apply runs the statements of m and records its version.
func apply(db *gorm.DB, m migration) error {
	for _, q := range m.statements {
		if err := db.Exec(q).Error; err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	now := outboxsql.Now(db.Dialector.Name())
	return db.Exec("INSERT INTO "+SchemaTable+" (version, name, applied_at) VALUES (?, ?, "+now+")", m.version, m.name).Error
}

// MigrateOnce creates the table [Once] records deliveries in, if missing:
// the workers of a broker outbox (signalsgorm.WithOutbox), which have no
// embedded outbox, call it. [Outbox.Migrate] creates that table too (its
// first migration); the table has not changed since.
func MigrateOnce(ctx context.Context, db *gorm.DB) error {
	if err := db.WithContext(ctx).Exec(outboxsql.ProcessedDDL).Error; err != nil {
		return fmt.Errorf("outboxgorm: MigrateOnce: %w", err)
	}
	return nil
}
