package outboxgorm_test

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// MigrateOnce creates Once's table alone (broker-mode workers have no
// embedded outbox), and is idempotent.
func TestMigrateOnce(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		for range 2 {
			if err := outboxgorm.MigrateOnce(t.Context(), db); err != nil {
				t.Fatal(err)
			}
		}
		if !db.Migrator().HasTable(outboxgorm.ProcessedTable) || db.Migrator().HasTable(outboxgorm.Table) {
			t.Fatal("MigrateOnce must create the processed table and only it")
		}
	})
}

// The documented table names.
func TestTableNames(t *testing.T) {
	if outboxgorm.Table != "signals_outbox" || outboxgorm.ProcessedTable != "signals_processed" || outboxgorm.LeaseTable != "signals_outbox_leases" {
		t.Fatal(outboxgorm.Table, outboxgorm.ProcessedTable, outboxgorm.LeaseTable)
	}
}

// New refuses a transaction (the outbox would run its workers on it) and a
// database without the plugin, and writes nothing.
func TestNewRefusesBadDatabases(t *testing.T) {
	db := open(t, "sqlite")
	err := db.Transaction(func(tx *gorm.DB) error {
		_, err := outboxgorm.New(tx, outboxgorm.Config{})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "db is a transaction") {
		t.Fatalf("New(tx) = %v, want the transaction refused", err)
	}
	if _, err := outboxgorm.New(dbtest.Open(t, "sqlite"), outboxgorm.Config{}); err == nil || !strings.Contains(err.Error(), "plugin is not installed") {
		t.Fatalf("New without the plugin = %v", err)
	}
	if db.Migrator().HasTable(outboxgorm.Table) {
		t.Fatal("a refused New created the outbox table")
	}
}

// Migrate upgrades the tables of an earlier release in place: the integer
// statuses become text, and the version is recorded. It is idempotent, and
// safe from two processes at once.
func TestMigrateUpgradesIntegerStatuses(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		files, err := outboxgorm.Migrations(db.Dialector.Name())
		if err != nil {
			t.Fatal(err)
		}
		first, err := fs.ReadFile(files, "0001_outbox.up.sql")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range strings.Split(string(first), ";\n") { // the earlier release's tables
			if q = strings.TrimSpace(q); q != "" {
				if err := db.Exec(q).Error; err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
		}
		for i, status := range []int{0, 1, 2} {
			if err := db.Exec("INSERT INTO "+outboxgorm.Table+" (event_id, receiver, topic, payload, status, created_at) VALUES (?, 'r', 't', '{}', ?, 1)",
				fmt.Sprintf("e%d", i), status).Error; err != nil {
				t.Fatal(err)
			}
		}
		errs := make(chan error, 2)
		for range 2 {
			go func() { errs <- outboxgorm.Migrate(t.Context(), db) }()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if err := outboxgorm.Migrate(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		var statuses []string
		if err := db.Table(outboxgorm.Table).Order("id").Pluck("status", &statuses).Error; err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(statuses) != "[pending delivered dead]" {
			t.Fatalf("statuses after the upgrade: %v", statuses)
		}
		var versions []int
		if err := db.Table(outboxgorm.SchemaTable).Order("version").Pluck("version", &versions).Error; err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(versions) != "[1 2]" || versions[len(versions)-1] != outboxgorm.SchemaVersion {
			t.Fatalf("versions recorded: %v", versions)
		}
	})
}

// The files can be applied by another tool (goose, golang-migrate, atlas):
// applied in order, they make the same tables, and Migrate, run after them
// without their record, applies them again harmlessly.
func TestMigrationFilesByAnotherTool(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		files, err := outboxgorm.Migrations(db.Dialector.Name())
		if err != nil {
			t.Fatal(err)
		}
		names, _ := fs.Glob(files, "*.sql")
		if len(names) != outboxgorm.SchemaVersion {
			t.Fatalf("files: %v", names)
		}
		for _, name := range names {
			b, _ := fs.ReadFile(files, name)
			if !strings.HasPrefix(string(b), "-- +goose Up\n") {
				t.Errorf("%s lacks goose's annotation", name)
			}
			for _, q := range strings.Split(string(b), ";\n") {
				if q = strings.TrimSpace(q); q != "" {
					if err := db.Exec(q).Error; err != nil {
						t.Fatalf("%s: %s: %v", name, q, err)
					}
				}
			}
		}
		if err := db.Exec("INSERT INTO " + outboxgorm.Table + " (event_id, receiver, topic, payload, status, created_at) VALUES ('e', 'r', 't', '{}', 'dead', 1)").Error; err != nil {
			t.Fatal(err)
		}
		if err := outboxgorm.Migrate(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		var status string
		if err := db.Table(outboxgorm.Table).Pluck("status", &status).Error; err != nil || status != "dead" {
			t.Fatalf("status %q after Migrate ran the files again: %v", status, err)
		}
	})
	if _, err := outboxgorm.Migrations("oracle"); err == nil || !strings.Contains(err.Error(), `"oracle"`) {
		t.Fatalf("Migrations(oracle) = %v", err)
	}
}
