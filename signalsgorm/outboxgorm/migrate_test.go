package outboxgorm_test

import (
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
