package signalsgorm_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// As in Django, only the update fields are written
// (tests/update_only_fields/tests.py, UpdateOnlyFieldsTests.test_update_fields_basic):
// a pre_save receiver's change of another field stays in the object. The
// plugin says so: a trace step names the field, and a warning is logged
// once per model and field, not once per statement.
func TestPreSaveChangeOutsideUpdateFieldsIsTracedAndWarnedOnce(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		logger, logs := testLogger()
		db := openFields(t, dialect, signalsgorm.Logger(logger))
		e := Essay{Title: "Old Title", Slug: "old-title"}
		db.Create(&e)
		slugify(t)
		tp := recordSaves(t)

		ctx, tr := signals.StartTrace(context.Background(), "rename")
		if err := db.WithContext(ctx).Model(&e).Updates(map[string]any{"Title": "New Title"}).Error; err != nil {
			t.Fatal(err)
		}
		tr.Stop()
		if got := stored(t, db, e.ID); got.Title != "New Title" || got.Slug != "old-title" {
			t.Fatalf("stored %q %q: only the update fields are written", got.Title, got.Slug)
		}
		if e.Slug != "new-title" {
			t.Fatalf("the receiver's change is not in the object: %q", e.Slug)
		}
		_, evs := tp.take()
		if len(evs) != 2 || strings.Join(evs[1].UpdateFields, ",") != "Title" {
			t.Fatalf("post_save events %+v", evs)
		}
		var step *signals.Step
		for _, s := range tr.Steps() {
			if s.Kind == signalsgorm.StepOutsideUpdateFields {
				step = &s
			}
		}
		if step == nil || step.Name != "signalsgorm_test.Essay.Slug" || !strings.Contains(step.Detail, "not written: update fields are Title") {
			t.Fatalf("trace step %+v in\n%s", step, tr)
		}

		db.Model(&e).Update("Title", "Third Title")
		db.Model(&e).Updates(Essay{Title: "Fourth Title"})
		if n := strings.Count(logs.String(), "changed a field outside the update fields"); n != 1 {
			t.Fatalf("%d warnings, want 1:\n%s", n, logs)
		}
		if !strings.Contains(logs.String(), "model=signalsgorm_test.Essay field=Slug update_fields=Title") {
			t.Fatalf("the warning does not name the model and field:\n%s", logs)
		}
	})
}

// With WritePreSaveChanges, what pre_save receivers change outside the
// update fields is written too, whatever form the update takes, and
// post_save's UpdateFields lists it; Omit still wins.
func TestWritePreSaveChangesWritesFieldsOutsideUpdateFields(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		logger, logs := testLogger()
		db := openFields(t, dialect, signalsgorm.WritePreSaveChanges(), signalsgorm.Logger(logger))
		e := Essay{Title: "A", Slug: "a", Words: 10}
		db.Create(&e)
		slugify(t)
		tp := recordSaves(t)

		steps := []struct {
			name  string
			run   func() *gorm.DB
			title string
		}{
			{"Updates map", func() *gorm.DB { return db.Model(&e).Updates(map[string]any{"Title": "B b"}) }, "B b"},
			{"Update", func() *gorm.DB { return db.Model(&e).Update("title", "C c") }, "C c"},
			{"Updates struct", func() *gorm.DB { return db.Model(&e).Updates(Essay{Title: "D d"}) }, "D d"},
			{"Select Save", func() *gorm.DB { e.Title = "E e"; return db.Select("Title").Save(&e) }, "E e"},
			{"Select Updates", func() *gorm.DB { return db.Model(&e).Select("Title").Updates(&Essay{Title: "F f", Words: 1}) }, "F f"},
		}
		for _, s := range steps {
			if err := s.run().Error; err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			want := strings.ToLower(strings.ReplaceAll(s.title, " ", "-"))
			if got := stored(t, db, e.ID); got.Title != s.title || got.Slug != want || got.Words != 10 {
				t.Fatalf("%s: stored %+v, want title %q slug %q words 10", s.name, got, s.title, want)
			}
			_, evs := tp.take()
			if len(evs) != 2 || strings.Join(evs[0].UpdateFields, ",") != "Title" || strings.Join(evs[1].UpdateFields, ",") != "Slug,Title" {
				t.Fatalf("%s: update fields of pre_save, post_save: %v", s.name, evs)
			}
		}
		// A zero value set by a receiver is written too.
		h := modelsignals.OnPreSave(func(_ context.Context, ev modelsignals.Save[Essay]) error {
			ev.Instance.Words = 0
			return nil
		})
		defer h.Disconnect()
		if err := db.Model(&e).Updates(Essay{Title: "G g"}).Error; err != nil {
			t.Fatal(err)
		}
		if got := stored(t, db, e.ID); got.Words != 0 || got.Slug != "g-g" {
			t.Fatalf("stored %+v: the receiver's zero Words was not written", got)
		}
		// A field the statement omits stays unwritten, with a warning.
		if err := db.Model(&e).Omit("Slug").Updates(map[string]any{"Title": "H h"}).Error; err != nil {
			t.Fatal(err)
		}
		if got := stored(t, db, e.ID); got.Title != "H h" || got.Slug != "g-g" {
			t.Fatalf("stored %+v: an omitted field was written", got)
		}
		if !strings.Contains(logs.String(), "field=Slug") || strings.Count(logs.String(), "level=WARN") != 1 {
			t.Fatalf("logs:\n%s", logs)
		}
	})
}

// A create restricted with Select has update fields too: a receiver's
// change of another field is reported, and written with
// WritePreSaveChanges.
func TestRestrictedCreateReportsPreSaveChangesOutsideSelect(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		for _, write := range []bool{false, true} {
			var opts []signalsgorm.Option
			if write {
				opts = append(opts, signalsgorm.WritePreSaveChanges())
			}
			logger, logs := testLogger()
			db := openFields(t, dialect, append(opts, signalsgorm.Logger(logger))...)
			slugify(t)
			e := Essay{Title: "New Essay"}
			if err := db.Select("Title").Create(&e).Error; err != nil {
				t.Fatal(err)
			}
			got := stored(t, db, e.ID)
			if write && got.Slug != "new-essay" || !write && (got.Slug != "" || !strings.Contains(logs.String(), "field=Slug")) {
				t.Fatalf("write=%v: stored slug %q, logs:\n%s", write, got.Slug, logs)
			}
		}
	})
}

// Receivers that change nothing outside the update fields cause no step and
// no warning, and a save without update fields (Save) is not compared.
func TestNoReportWhenReceiversStayInsideUpdateFields(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		logger, logs := testLogger()
		db := openFields(t, dialect, signalsgorm.Logger(logger))
		e := Essay{Title: "A"}
		db.Create(&e)
		connect(t, modelsignals.PreSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
			if es, ok := ev.Instance.(*Essay); ok {
				es.Title = strings.ToUpper(es.Title)
			}
			return nil
		})
		slugify(t)
		ctx, tr := signals.StartTrace(context.Background(), "save")
		db.WithContext(ctx).Model(&e).Updates(map[string]any{"Title": "b", "Slug": "x"})
		e.Title = "c"
		db.WithContext(ctx).Save(&e)
		tr.Stop()
		for _, s := range tr.Steps() {
			if s.Kind == signalsgorm.StepOutsideUpdateFields {
				t.Fatalf("unexpected step %+v", s)
			}
		}
		if logs.String() != "" {
			t.Fatalf("unexpected logs:\n%s", logs)
		}
		if got := stored(t, db, e.ID); got.Title != "C" || got.Slug != "c" {
			t.Fatalf("stored %+v", got)
		}
	})
}
