package main

import (
	"context"
	"fmt"
	"path/filepath"

	// GORM's SQLite dialect on the pure-Go SQLite (modernc.org/sqlite), as
	// its "sqlite" driver: no C toolchain, no cgo build.
	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/examples/bookstore/shop"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// App is the bookstore: its database, its receivers and the embedded outbox
// of its durable receivers.
type App struct {
	DB        *gorm.DB
	Dir       string // the data directory: database file and covers
	Receivers *shop.Receivers
	Outbox    *outboxgorm.Outbox
}

// Open opens (creating it if needed) the bookstore in dir: connects the
// receivers, opens the SQLite database through a pool that sends
// connection_created, installs the signals plugin and migrates, all within
// ctx (so a trace in ctx sees it).
func Open(ctx context.Context, dir string) (*App, error) {
	r := &shop.Receivers{Catalog: &shop.Catalog{}}
	r.Connect()
	sqlDB, err := modelsignals.OpenDB("sqlite", "file:"+filepath.Join(dir, "bookstore.db")+
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate", "default")
	if err != nil {
		r.Disconnect()
		return nil, err
	}
	// Connect with ctx first, so that connection_created is part of it.
	var db *gorm.DB
	if err = sqlDB.PingContext(ctx); err == nil {
		db, err = gorm.Open(sqlite.Dialector{DriverName: "sqlite", Conn: sqlDB}, &gorm.Config{Logger: logger.Discard})
	}
	if err == nil {
		err = db.Use(signalsgorm.New(signalsgorm.TrackChanges(&shop.Author{}, &shop.Book{})))
	}
	if err == nil {
		r.DB = db
		err = signalsgorm.AutoMigrate(db.WithContext(ctx), shop.Models...)
	}
	var ob *outboxgorm.Outbox
	if err == nil {
		ob, err = outboxgorm.New(db, outboxgorm.Config{})
	}
	if err == nil {
		err = ob.Migrate(ctx)
	}
	if err != nil {
		sqlDB.Close()
		r.Disconnect()
		return nil, fmt.Errorf("bookstore: opening the database: %w", err)
	}
	return &App{DB: db, Dir: dir, Receivers: r, Outbox: ob}, nil
}

// Close disconnects the receivers and closes the database.
func (a *App) Close() error {
	a.Receivers.Disconnect()
	sqlDB, err := a.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}
