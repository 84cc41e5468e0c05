package signalsgorm_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/internal/testlog"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalstest"
)

// calls records the callbacks run, in order, on a timeline.
type calls struct {
	signalstest.Timeline
}

// fn returns a callback that records name.
func (c *calls) fn(name string) func(context.Context) error {
	return func(context.Context) error {
		c.Add(name)
		return nil
	}
}

// fail returns a callback that records name and returns err.
func (c *calls) fail(name string, err error) func(context.Context) error {
	return func(context.Context) error {
		c.Add(name)
		return err
	}
}

// check fails the test unless the callbacks run since the last check or
// Take are want.
func (c *calls) check(t *testing.T, want ...string) {
	t.Helper()
	if got := c.Take(); !slices.Equal(got, want) {
		t.Fatalf("callbacks run: %q, want %q", got, want)
	}
}

// openSlogged opens a database whose plugin logs into the returned buffer.
func openSlogged(t *testing.T, dialect string, opts ...signalsgorm.Option) (*gorm.DB, *testlog.Buffer) {
	t.Helper()
	lb := &testlog.Buffer{}
	opts = append(opts, signalsgorm.Logger(slog.New(slog.NewTextHandler(lb, nil))))
	return open(t, dialect, opts...), lb
}

// mustOnCommit registers fn on tx's transaction and fails the test on error.
func mustOnCommit(t *testing.T, tx *gorm.DB, fn func(context.Context) error, opts ...signalsgorm.CommitOption) {
	t.Helper()
	if err := signalsgorm.OnCommit(tx, fn, opts...); err != nil {
		t.Fatal(err)
	}
}

// tags returns the names of the tags in the table, sorted.
func tags(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var names []string
	if err := db.Model(&Tag{}).Order("name").Pluck("name", &names).Error; err != nil {
		t.Fatal(err)
	}
	return names
}

func checkTags(t *testing.T, db *gorm.DB, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := tags(t, db); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("tags in the table: %q, want %q", got, want)
	}
}
