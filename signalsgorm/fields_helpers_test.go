package signalsgorm_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// Models of the update-fields tests.

// Essay has a slug a pre_save receiver derives from the title, as Django's
// classic slugify-in-pre_save receiver does.
type Essay struct {
	ID        uint
	Title     string
	Slug      string
	Words     int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Staff mirrors the Employee of Django's tests/update_only_fields/models.py:
// a belongs-to profile, many2many accounts, and fields that are not
// columns.
type Staff struct {
	ID             uint
	Name           string
	Gender         string
	StaffProfileID *uint
	StaffProfile   *StaffProfile
	Accounts       []StaffAccount `gorm:"many2many:staff_account_links"`
	Notes          []StaffNote    // has-many
	Badge          *StaffBadge    // has-one
	Nickname       string         `gorm:"-"`  // not a column
	Code           string         `gorm:"->"` // read-only
}

type StaffProfile struct {
	ID     uint
	Name   string
	Salary int
}

type StaffAccount struct {
	ID  uint
	Num int
}

type StaffNote struct {
	ID      uint
	StaffID uint
	Text    string
}

type StaffBadge struct {
	ID      uint
	StaffID uint
	Label   string
}

// openFields opens a database of dialect with the plugin (with opts) and
// the models of these tests.
func openFields(t *testing.T, dialect string, opts ...signalsgorm.Option) *gorm.DB {
	t.Helper()
	return dbtest.Open(t, dialect, dbtest.Use(signalsgorm.New(opts...)),
		dbtest.Migrate(&Essay{}, &StaffProfile{}, &StaffAccount{}, &Staff{}, &StaffNote{}, &StaffBadge{}))
}

// slugify is the pre_save receiver of the tests: it derives Slug from
// Title.
func slugify(t *testing.T) {
	t.Helper()
	h := modelsignals.OnPreSave(func(_ context.Context, ev modelsignals.Save[Essay]) error {
		ev.Instance.Slug = strings.ToLower(strings.ReplaceAll(ev.Instance.Title, " ", "-"))
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
}

// logBuffer is a slog handler's output, safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testLogger returns a logger writing text lines into a buffer.
func testLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, nil)), b
}

// stored reads the essay with id from the database.
func stored(t *testing.T, db *gorm.DB, id uint) Essay {
	t.Helper()
	var e Essay
	if err := db.First(&e, id).Error; err != nil {
		t.Fatal(err)
	}
	return e
}
