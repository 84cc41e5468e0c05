package signalsriver

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// driver returns River's driver on db's connection pool. On PostgreSQL,
// with listen, it also opens a pgx pool on db's DSN for River's LISTEN
// (database/sql cannot listen), so that a commit wakes the workers at
// once; close is then that pool's Close. Without a DSN (a dialector given
// a connection), River polls.
func driver(db *gorm.DB, listen bool) (d riverdriver.Driver[*sql.Tx], closeFn func(), err error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, nil, fmt.Errorf("signalsriver: %w", err)
	}
	closeFn = func() {}
	switch name := db.Dialector.Name(); name {
	case SQLite:
		return riversqlite.New(sqlDB), closeFn, nil
	case Postgres:
		pd, ok := db.Dialector.(*postgres.Dialector)
		if !listen || !ok || pd.Config == nil || pd.DSN == "" {
			return riverdatabasesql.New(sqlDB), closeFn, nil
		}
		pcfg, err := pgxpool.ParseConfig(pd.DSN)
		if err != nil {
			return nil, nil, fmt.Errorf("signalsriver: the DSN of the listener pool: %w", err)
		}
		pcfg.MinConns, pcfg.MaxConns = 0, 1
		pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
		if err != nil {
			return nil, nil, fmt.Errorf("signalsriver: the listener pool: %w", err)
		}
		return riverdatabasesql.NewWithPgxListener(sqlDB, pool), pool.Close, nil
	default:
		return nil, nil, fmt.Errorf("%w: River runs on PostgreSQL and SQLite, not on %q", ErrDialect, name)
	}
}

// Migrate brings River's tables in db's database up to the version of the
// River module the program is built with, through River's migrator
// (rivermigrate: the same migrations as `river migrate-up`), and creates
// the table of outboxgorm.Once. It is idempotent.
func (e *Engine) Migrate(ctx context.Context, db *gorm.DB) error {
	d, closeFn, err := driver(db, false)
	if err != nil {
		return err
	}
	defer closeFn()
	m, err := rivermigrate.New(d, &rivermigrate.Config{Logger: e.logger()})
	if err != nil {
		return fmt.Errorf("signalsriver: Migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("signalsriver: Migrate: River's migrations: %w", err)
	}
	if err := outboxgorm.MigrateOnce(ctx, db); err != nil {
		return fmt.Errorf("signalsriver: Migrate: %w", err)
	}
	return nil
}
