package signalsgorm_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// AuditEntry is what receivers write through the application's *gorm.DB.
// Its foreign key to Book makes a write on another connection fail on
// PostgreSQL and MariaDB, which cannot see the uncommitted book, and wait
// for the write lock on SQLite.
type AuditEntry struct {
	ID     uint
	BookID *uint
	Book   *Book `gorm:"constraint:OnDelete:CASCADE"`
	Note   string
}

// A joinVariant is a configuration the join tests run under: cfg changes
// GORM's configuration, app returns the *gorm.DB receivers write through
// (the application's, or a session of it).
type joinVariant struct {
	name string
	cfg  func(*gorm.Config)
	app  func(*gorm.DB) *gorm.DB
}

var joinVariants = []joinVariant{
	{name: "default"},
	{name: "PrepareStmt", cfg: func(c *gorm.Config) { c.PrepareStmt = true }},
	{name: "Session-PrepareStmt", app: func(db *gorm.DB) *gorm.DB { return db.Session(&gorm.Session{PrepareStmt: true}) }},
	{name: "SkipDefaultTransaction", cfg: func(c *gorm.Config) { c.SkipDefaultTransaction = true }},
}

// eachJoin runs f on every database under every variant, with db the
// database (the plugin installed, AuditEntry migrated) and app the
// *gorm.DB receivers write through.
func eachJoin(t *testing.T, f func(t *testing.T, v joinVariant, db, app *gorm.DB)) {
	each(t, func(t *testing.T, dialect string) {
		for _, v := range joinVariants {
			t.Run(v.name, func(t *testing.T) {
				db, app := openJoin(t, dialect, v)
				f(t, v, db, app)
			})
		}
	})
}

func openJoin(t *testing.T, dialect string, v joinVariant) (db, app *gorm.DB) {
	t.Helper()
	cfg := dbtest.Config()
	if v.cfg != nil {
		v.cfg(cfg)
	}
	db = openConfig(t, dialect, cfg)
	if err := db.AutoMigrate(&AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	app = db
	if v.app != nil {
		app = v.app(db)
	}
	return db, app
}

// notes returns the notes of the audit entries, sorted, read on a
// connection of their own.
func notes(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var out []string
	if err := db.Model(&AuditEntry{}).Order("note").Pluck("note", &out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func checkNotes(t *testing.T, db *gorm.DB, want ...string) {
	t.Helper()
	got := notes(t, db)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("audit entries %q, want %q", got, want)
	}
}

// onBookSaved connects fn as a post_save receiver of Book until the test
// ends.
func onBookSaved(t *testing.T, fn func(ctx context.Context, ev modelsignals.Save[Book]) error) {
	t.Helper()
	h := modelsignals.OnPostSave(fn)
	t.Cleanup(func() { h.Disconnect() })
}

// audit is the receiver of the join tests: it writes an entry for the book
// through app.WithContext(ctx), GORM's everyday habit.
func audit(app *gorm.DB) func(ctx context.Context, ev modelsignals.Save[Book]) error {
	return func(ctx context.Context, ev modelsignals.Save[Book]) error {
		id := ev.Instance.ID
		return app.WithContext(ctx).Create(&AuditEntry{BookID: &id, Note: ev.Instance.Title}).Error
	}
}

// txID returns the ID of the transaction of the statement whose receiver
// got ctx.
func txID(ctx context.Context) uint64 {
	id, _ := signalsgorm.TxID(signalsgorm.DB(ctx, nil))
	return id
}

// recovered returns the error f panics with, or nil.
func recovered(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if err, _ = v.(error); err == nil {
				err = fmt.Errorf("%v", v)
			}
		}
	}()
	f()
	return nil
}
