package signalsgorm

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
)

// AutoMigrate runs db.AutoMigrate(models...) between pre_migrate and
// post_migrate, Django's migrate signals. Both carry the plan: the tables to
// create (including many-to-many join tables) and the columns to add, as
// read from the database before the migration; an up-to-date schema gives
// an empty plan, and both signals are still sent (as Django's migrate does:
// tests/migrate_signals/tests.py, MigrateSignalTests.test_args). An error from a
// pre_migrate receiver stops before anything changes; post_migrate is not
// sent when the migration fails.
//
// GORM's own db.AutoMigrate has no hook point, so calling it directly sends
// no migrate signals.
func AutoMigrate(db *gorm.DB, models ...any) error {
	p := From(db)
	if p == nil {
		return errNotInstalled
	}
	ev := modelsignals.MigrateEvent{Using: p.using}
	mig := db.Migrator()
	joins := map[string]bool{}
	for _, model := range models {
		s, err := parse(db, model)
		if err != nil {
			return err
		}
		m := p.modelContext(db.Statement.Context, s)
		ev.Models = append(ev.Models, m)
		if !mig.HasTable(model) {
			ev.Plan = append(ev.Plan, modelsignals.MigrationStep{Model: m, Table: s.Table, Action: "create_table"})
		} else {
			var missing []string
			for _, f := range s.Fields {
				if f.DBName != "" && !f.IgnoreMigration && !mig.HasColumn(model, f.DBName) {
					missing = append(missing, f.DBName)
				}
			}
			if len(missing) > 0 {
				ev.Plan = append(ev.Plan, modelsignals.MigrationStep{Model: m, Table: s.Table, Action: "add_columns", Columns: missing})
			}
		}
		for _, rel := range s.Relationships.Relations {
			if rel.JoinTable != nil && !joins[rel.JoinTable.Table] && !mig.HasTable(rel.JoinTable.Table) {
				joins[rel.JoinTable.Table] = true
				ev.Plan = append(ev.Plan, modelsignals.MigrationStep{Table: rel.JoinTable.Table, Action: "create_table"})
			}
		}
	}
	ctx := db.Statement.Context
	if err := modelsignals.PreMigrate.Send(ctx, p.using, ev); err != nil {
		return err
	}
	if err := db.AutoMigrate(models...); err != nil {
		return fmt.Errorf("signalsgorm: AutoMigrate: %w", err)
	}
	return modelsignals.PostMigrate.Send(ctx, p.using, ev)
}
