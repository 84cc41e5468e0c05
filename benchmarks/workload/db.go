package workload

import (
	"fmt"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/signalsgorm"
)

// The models, the same as the Django script's (benchmarks/django/benchapp).
// Relations cascade with GORM's constraint tag, which the database applies
// and the plugin's deletion collector follows (Django's on_delete=CASCADE);
// foreign keys are indexed, as Django indexes them.

// Author has books.
type Author struct {
	ID    uint
	Name  string
	Books []Book `gorm:"constraint:OnDelete:CASCADE"`
}

// Book belongs to an author and has comments.
type Book struct {
	ID       uint
	Title    string
	AuthorID uint      `gorm:"index"`
	Comments []Comment `gorm:"constraint:OnDelete:CASCADE"`
}

// Comment belongs to a book.
type Comment struct {
	ID     uint
	Body   string
	BookID uint `gorm:"index"`
}

// Entry is the model of the save workload.
type Entry struct {
	ID    uint
	Title string
	Pages int
}

// HookEntry is Entry with GORM hook methods, the save workload's Go peer:
// each counts its calls, as the signal receivers do.
type HookEntry struct {
	ID    uint
	Title string
	Pages int
	hooks *Hooks `gorm:"-"`
}

// Hooks counts the calls of HookEntry's hook methods.
type Hooks struct{ Before, After int }

// BeforeSave is GORM's hook, called before each HookEntry is written.
func (e *HookEntry) BeforeSave(*gorm.DB) error {
	e.hooks.Before++
	return nil
}

// AfterSave is GORM's hook, called after each HookEntry is written.
func (e *HookEntry) AfterSave(*gorm.DB) error {
	e.hooks.After++
	return nil
}

// DB is a GORM database on an SQLite file, with its statement counts.
type DB struct {
	*gorm.DB
	Queries *Queries
}

// Close closes the database.
func (d *DB) Close() error {
	sqlDB, err := d.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

var opened atomic.Int64

// Open creates an SQLite database in the file dir/name.db, with SQLite's
// defaults (rollback journal, synchronous=FULL) and foreign keys on, as
// Django's SQLite backend opens it, and migrates the models. With plugin,
// the signals plugin is installed. One connection is used: SQLite writes one
// at a time anyway.
func Open(dir, name string, plugin bool) (*DB, error) {
	path := filepath.Join(dir, name+".db")
	// The DSN is unique per Open, so that its connections find their counts.
	dsn := "file:" + path + "?_pragma=foreign_keys(1)&open=" + strconv.FormatInt(opened.Add(1), 10)
	q := &Queries{}
	counters.Store(dsn, q)
	db, err := gorm.Open(sqlite.Dialector{DriverName: driverName, DSN: dsn},
		&gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, fmt.Errorf("workload: opening %s: %w", path, err)
	}
	d := &DB{DB: db, Queries: q}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(1)
	if plugin {
		if err := db.Use(signalsgorm.New()); err != nil {
			d.Close()
			return nil, err
		}
	}
	if err := db.AutoMigrate(&Author{}, &Book{}, &Comment{}, &Entry{}, &HookEntry{}); err != nil {
		d.Close()
		return nil, fmt.Errorf("workload: migrating %s: %w", path, err)
	}
	return d, nil
}
