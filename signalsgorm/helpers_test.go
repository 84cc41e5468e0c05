package signalsgorm_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// Test models.

type Author struct {
	ID    uint
	Name  string
	Books []Book
}

type Book struct {
	ID        uint
	Title     string
	Pages     int
	AuthorID  *uint
	Author    *Author
	Tags      []Tag `gorm:"many2many:book_tags"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

type Tag struct {
	ID   uint
	Name string
}

// Hooked has GORM hook methods, to check where the signals run relative to
// them.
type Hooked struct {
	ID   uint
	Name string
	log  *[]string `gorm:"-"`
}

func (h *Hooked) BeforeSave(*gorm.DB) error {
	if h.log != nil {
		*h.log = append(*h.log, "hook:BeforeSave")
	}
	return nil
}

func (h *Hooked) AfterSave(*gorm.DB) error {
	if h.log != nil {
		*h.log = append(*h.log, "hook:AfterSave")
	}
	return nil
}

// open returns a database of dialect with the plugin installed and the test
// models migrated.
func open(t *testing.T, dialect string, opts ...signalsgorm.Option) *gorm.DB {
	t.Helper()
	return openConfig(t, dialect, dbtest.Config(), opts...)
}

func openConfig(t *testing.T, dialect string, cfg *gorm.Config, opts ...signalsgorm.Option) *gorm.DB {
	t.Helper()
	return dbtest.OpenConfig(t, dialect, cfg, dbtest.Use(signalsgorm.New(opts...)),
		dbtest.Migrate(&Author{}, &Book{}, &Tag{}, &Hooked{}))
}

// each runs f on every database.
func each(t *testing.T, f func(t *testing.T, dialect string)) {
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) { f(t, d) })
	}
}

// tape records the model signals, as "signal Label key=value".
type tape struct {
	mu  sync.Mutex
	got []string
	evs []modelsignals.SaveEvent
}

func (tp *tape) add(s string) {
	tp.mu.Lock()
	tp.got = append(tp.got, s)
	tp.mu.Unlock()
}

func (tp *tape) take() []string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	out := tp.got
	tp.got = nil
	tp.evs = nil
	return out
}

func (tp *tape) check(t *testing.T, want ...string) {
	t.Helper()
	got := tp.take()
	checkLines(t, "signals", got, want)
}

func describe(ev modelsignals.SaveEvent) string {
	s := ev.Model.Label
	switch inst := ev.Instance.(type) {
	case *Book:
		s += fmt.Sprintf(" %q id=%v", inst.Title, inst.ID != 0)
	case *Tag:
		s += fmt.Sprintf(" %q", inst.Name)
	case *Author:
		s += fmt.Sprintf(" %q", inst.Name)
	}
	if ev.Created {
		s += " created"
	}
	if ev.UpdateFields != nil {
		s += " fields=" + strings.Join(ev.UpdateFields, ",")
	}
	if ev.Raw {
		s += " raw"
	}
	return s
}

// recordSaves connects catch-all pre_save and post_save recorders for the
// duration of the test.
func recordSaves(t *testing.T) *tape {
	tp := &tape{}
	connect(t, modelsignals.PreSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
		tp.add("pre_save " + describe(ev))
		tp.mu.Lock()
		tp.evs = append(tp.evs, ev)
		tp.mu.Unlock()
		return nil
	})
	connect(t, modelsignals.PostSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
		tp.add("post_save " + describe(ev))
		tp.mu.Lock()
		tp.evs = append(tp.evs, ev)
		tp.mu.Unlock()
		return nil
	})
	return tp
}

func connect[T any](t *testing.T, s *signals.Signal[T], fn func(context.Context, T) error, opts ...signals.Option) {
	t.Helper()
	h := s.ConnectFunc(fn, opts...)
	t.Cleanup(func() { h.Disconnect() })
}

func count(t *testing.T, db *gorm.DB, model any) int64 {
	t.Helper()
	var n int64
	if err := db.Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// checkLines fails the test when got differs from want, showing both, one
// item a line, under what.
func checkLines(t testing.TB, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n\t%s\nwant:\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
