package signalsgorm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalstest"
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

// recording records signals of one event type with signalstest: each
// event is a line on the timeline, as describe writes it, and an event of
// the recorder.
type recording[T any] struct {
	rec *signalstest.Recorder[T]
	tl  *signalstest.Timeline
}

// record records sigs until the test ends, each event described by
// describe(signal, ev).
func record[T any](t testing.TB, sigs []*signals.Signal[T], describe func(signal string, ev T) string, opts ...signalstest.Option) recording[T] {
	t.Helper()
	tl := signalstest.NewTimeline(t)
	opts = append(opts, signalstest.OnTimeline(tl), signalstest.Describe(describe))
	return recording[T]{rec: signalstest.RecordAll(t, sigs, opts...), tl: tl}
}

// take returns the lines and the events recorded since the last take or
// check.
func (r recording[T]) take() ([]string, []T) {
	return r.tl.Take(), r.rec.Take()
}

// check fails the test unless the lines recorded since the last take or
// check are want, and returns their events.
func (r recording[T]) check(t testing.TB, want ...string) []T {
	t.Helper()
	evs := r.rec.Take()
	if !r.tl.AssertNext(want...) {
		t.FailNow()
	}
	return evs
}

// describe writes a save event as "Label "title" id=true created ...".
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

// recordSaves records pre_save and post_save, of every model, until the
// test ends, as "signal Label ...".
func recordSaves(t *testing.T) recording[modelsignals.SaveEvent] {
	t.Helper()
	return record(t, []*signals.Signal[modelsignals.SaveEvent]{modelsignals.PreSave, modelsignals.PostSave},
		func(signal string, ev modelsignals.SaveEvent) string { return signal + " " + describe(ev) })
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
