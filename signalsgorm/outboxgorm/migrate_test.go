package outboxgorm_test

import (
	"testing"

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
