package signalsgorm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// Create sends pre_save then post_save(created) per object, with Using and
// update_fields nil for a full save (tests/signals/tests.py,
// SignalTests.test_save_signals).
func TestCreateSignals(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect, signalsgorm.Using("primary"))
		tp := recordSaves(t)
		b := Book{Title: "Dune"}
		if err := db.Create(&b).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, `pre_save signalsgorm_test.Book "Dune" id=false`, `post_save signalsgorm_test.Book "Dune" id=true created`)

		// Batch create: one pre_save and one post_save per element, in
		// element order.
		books := []Book{{Title: "a"}, {Title: "b"}, {Title: "c"}}
		if err := db.Create(&books).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t,
			`pre_save signalsgorm_test.Book "a" id=false`, `pre_save signalsgorm_test.Book "b" id=false`, `pre_save signalsgorm_test.Book "c" id=false`,
			`post_save signalsgorm_test.Book "a" id=true created`, `post_save signalsgorm_test.Book "b" id=true created`, `post_save signalsgorm_test.Book "c" id=true created`)

		ptrs := []*Book{{Title: "p1"}, {Title: "p2"}, {Title: "p3"}}
		if err := db.CreateInBatches(ptrs, 2).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t,
			`pre_save signalsgorm_test.Book "p1" id=false`, `pre_save signalsgorm_test.Book "p2" id=false`,
			`post_save signalsgorm_test.Book "p1" id=true created`, `post_save signalsgorm_test.Book "p2" id=true created`,
			`pre_save signalsgorm_test.Book "p3" id=false`, `post_save signalsgorm_test.Book "p3" id=true created`)

		// The event's fields.
		_ = db.Create(&Book{Title: "x"})
		_, evs := tp.take()
		if len(evs) != 2 || evs[1].Using != "primary" || evs[1].Raw || evs[1].UpdateFields != nil || evs[1].Model.Table != "books" {
			t.Fatalf("events %+v", evs)
		}
	})
}

// Save of a stored object is an update; Save of an object whose
// primary key is not stored is GORM's update-then-insert, reported as one
// save with created=true.
func TestSaveSignals(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		b := Book{Title: "Dune"}
		db.Create(&b)
		tp := recordSaves(t)

		b.Title = "Dune Messiah"
		if err := db.Save(&b).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, `pre_save signalsgorm_test.Book "Dune Messiah" id=true`, `post_save signalsgorm_test.Book "Dune Messiah" id=true`)

		// Saving unchanged values is still a save (MySQL reports 0 changed
		// rows; the insert fallback then finds the row).
		if err := db.Save(&b).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, `pre_save signalsgorm_test.Book "Dune Messiah" id=true`, `post_save signalsgorm_test.Book "Dune Messiah" id=true`)

		ghost := Book{ID: 999, Title: "Ghost"}
		if err := db.Save(&ghost).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, `pre_save signalsgorm_test.Book "Ghost" id=true`, `post_save signalsgorm_test.Book "Ghost" id=true created`)
		if count(t, db, &Book{}) != 2 {
			t.Fatal("the fallback insert did not insert")
		}

		// FirstOrCreate: created when missing, nothing when found.
		var f Book
		if err := db.Where(Book{Title: "New"}).FirstOrCreate(&f).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, `pre_save signalsgorm_test.Book "New" id=false`, `post_save signalsgorm_test.Book "New" id=true created`)
		var g Book
		if err := db.Where(Book{Title: "New"}).FirstOrCreate(&g).Error; err != nil || g.ID != f.ID {
			t.Fatal(err)
		}
		tp.check(t)
	})
}

// update_fields reflects Select/Omit and the keys of an update, sorted
// struct field names; nil for a full save (tests/update_only_fields/tests.py,
// UpdateOnlyFieldsTests.test_update_fields_signals).
func TestUpdateFields(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		b := Book{Title: "Dune", Pages: 100}
		db.Create(&b)
		tp := recordSaves(t)

		steps := []struct {
			name string
			run  func() *gorm.DB
			want string
		}{
			{"Update", func() *gorm.DB { return db.Model(&b).Update("title", "T1") }, `"T1" id=true fields=Title`},
			{"Updates map", func() *gorm.DB { return db.Model(&b).Updates(map[string]any{"Pages": 7, "title": "T2"}) }, `"T2" id=true fields=Pages,Title`},
			{"Updates struct", func() *gorm.DB { return db.Model(&b).Updates(Book{Pages: 9}) }, `"T2" id=true fields=Pages`},
			{"Select", func() *gorm.DB { return db.Model(&b).Select("Title").Updates(Book{Title: "T3", Pages: 1}) }, `"T3" id=true fields=Title`},
			{"Select zero", func() *gorm.DB { return db.Model(&b).Select("Pages").Updates(Book{}) }, `"T3" id=true fields=Pages`},
			{"Omit", func() *gorm.DB { return db.Model(&b).Omit("Pages").Updates(map[string]any{"title": "T4", "pages": 5}) }, `"T4" id=true fields=Title`},
			{"Select Save", func() *gorm.DB { b.Title = "T5"; return db.Select("Title").Save(&b) }, `"T5" id=true fields=Title`},
		}
		for _, s := range steps {
			if err := s.run().Error; err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			tp.check(t, "pre_save signalsgorm_test.Book "+s.want, "post_save signalsgorm_test.Book "+s.want)
		}
		var got Book
		db.First(&got, b.ID)
		if got.Title != "T5" || got.Pages != 0 {
			t.Fatalf("stored %+v", got)
		}

		// An update that writes nothing sends nothing
		// (UpdateOnlyFieldsTests.test_empty_update_fields).
		if err := db.Model(&b).Updates(map[string]any{}).Error; err != nil && !errors.Is(err, gorm.ErrEmptySlice) {
			t.Log("empty update:", err)
		}
		tp.check(t)
	})
}

// pre_save receivers may change the object, and the change is written,
// for creates, saves and updates.
func TestPreSaveChangesAreWritten(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		modelsignals.OnPreSave(func(_ context.Context, ev modelsignals.Save[Book]) error {
			ev.Instance.Title = strings.TrimSpace(ev.Instance.Title)
			if ev.Instance.Title == "" {
				ev.Instance.Title = "Untitled"
			}
			return nil
		})
		t.Cleanup(func() { modelsignals.PreSave.DisconnectAll() })
		b := Book{}
		db.Create(&b)
		c := Book{Title: "  Emma  "}
		db.Create(&c)
		c.Title = "  Persuasion "
		db.Save(&c)
		d := Book{Title: "Middlemarch"}
		db.Create(&d)
		db.Model(&d).Updates(map[string]any{"title": "   "}) // the receiver sees the new value
		var got []Book
		db.Order("id").Find(&got)
		if len(got) != 3 || got[0].Title != "Untitled" || got[1].Title != "Persuasion" || got[2].Title != "Untitled" {
			t.Fatalf("stored %+v", got)
		}
		if d.Title != "Untitled" {
			t.Fatalf("the instance was not updated: %q", d.Title)
		}
	})
}

// A pre_save error writes nothing. A post_save error rolls back GORM's
// statement transaction, where Django, in autocommit, keeps the row; with
// SkipDefaultTransaction the row stays, as in Django.
func TestSaveErrors(t *testing.T) {
	boom := errors.New("boom")
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		connect(t, modelsignals.PreSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
			if b, ok := ev.Instance.(*Book); ok && b.Title == "veto" {
				return boom
			}
			return nil
		})
		connect(t, modelsignals.PostSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
			if b, ok := ev.Instance.(*Book); ok && b.Title == "late" {
				return boom
			}
			return nil
		})
		if err := db.Create(&Book{Title: "veto"}).Error; !errors.Is(err, boom) || !strings.Contains(err.Error(), "pre_save receiver") {
			t.Fatalf("pre_save error: %v", err)
		}
		if err := db.Create(&[]Book{{Title: "ok"}, {Title: "veto"}}).Error; !errors.Is(err, boom) {
			t.Fatalf("batch: %v", err)
		}
		if err := db.Create(&Book{Title: "late"}).Error; !errors.Is(err, boom) {
			t.Fatalf("post_save error: %v", err)
		}
		if n := count(t, db, &Book{}); n != 0 {
			t.Fatalf("%d rows written despite receiver errors", n)
		}
		autocommit := db.Session(&gorm.Session{SkipDefaultTransaction: true})
		if err := autocommit.Create(&Book{Title: "late"}).Error; !errors.Is(err, boom) {
			t.Fatalf("post_save error: %v", err)
		}
		if n := count(t, db, &Book{}); n != 1 {
			t.Fatalf("%d rows; without a transaction the row stays written", n)
		}
	})
}

// pre_save runs after GORM's before-hooks and post_save after its
// after-hooks, inside the statement's transaction.
func TestOrderAgainstGormHooks(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		var log []string
		connect(t, modelsignals.PreSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
			log = append(log, "pre_save")
			return nil
		})
		connect(t, modelsignals.PostSave, func(ctx context.Context, ev modelsignals.SaveEvent) error {
			log = append(log, "post_save")
			return nil
		})
		h := Hooked{Name: "x", log: &log}
		db.Create(&h)
		h.Name = "y"
		db.Save(&h)
		want := "hook:BeforeSave pre_save hook:AfterSave post_save hook:BeforeSave pre_save hook:AfterSave post_save"
		if got := strings.Join(log, " "); got != want {
			t.Fatalf("order %s\nwant  %s", got, want)
		}
	})
}

// SkipHooks sessions, DryRun, UpdateColumn(s) and conditional updates send no
// per-object save signals.
func TestNoSignals(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		b := Book{Title: "Dune"}
		db.Create(&b)
		tp := recordSaves(t)
		db.Session(&gorm.Session{SkipHooks: true}).Create(&Book{Title: "skip"})
		db.Session(&gorm.Session{DryRun: true}).Create(&Book{Title: "dry"})
		db.Model(&b).UpdateColumn("title", "col")
		db.Model(&b).UpdateColumns(map[string]any{"pages": 3})
		db.Model(&Book{}).Where("pages > ?", 0).Update("title", "bulk")
		tp.check(t)
		if n := count(t, db, &Book{}); n != 2 {
			t.Fatalf("%d rows", n)
		}
	})
}

// Raw saves (fixtures) are flagged (tests/signals/tests.py,
// SignalTests.test_save_signals).
func TestRawSaves(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		tp := recordSaves(t)
		db.WithContext(modelsignals.WithRaw(t.Context())).Create(&Tag{Name: "go"})
		tp.check(t, `pre_save signalsgorm_test.Tag "go" raw`, `post_save signalsgorm_test.Tag "go" created raw`)
	})
}

// Join rows of many2many relations send no save signals; related rows GORM
// creates do; an Append sends no save signal for the owner
// (tests/signals/tests.py, SignalTests.test_save_and_delete_signals_with_m2m).
func TestAssociationSaves(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		tp := recordSaves(t)
		b := Book{Title: "Dune", Tags: []Tag{{Name: "sf"}}}
		if err := db.Create(&b).Error; err != nil {
			t.Fatal(err)
		}
		got, _ := tp.take()
		want := []string{
			`pre_save signalsgorm_test.Book "Dune" id=false`,
			`pre_save signalsgorm_test.Tag "sf"`, `post_save signalsgorm_test.Tag "sf" created`,
			`post_save signalsgorm_test.Book "Dune" id=true created`,
		}
		checkLines(t, "signals", got, want)
		if err := db.Model(&b).Association("Tags").Append(&Tag{Name: "classic"}); err != nil {
			t.Fatal(err)
		}
		tp.check(t, `pre_save signalsgorm_test.Tag "classic"`, `post_save signalsgorm_test.Tag "classic" created`)
	})
}

// Bad input: an unknown field in Select or in an update map is an error
// naming it, and nothing is written.
func TestBadInput(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		b := Book{Title: "Dune"}
		db.Create(&b)
		err := db.Model(&b).Select("Titel").Updates(Book{Title: "X"}).Error
		if err == nil || !strings.Contains(err.Error(), `unknown field "Titel" for model signalsgorm_test.Book`) {
			t.Fatalf("Select error: %v", err)
		}
		err = db.Model(&b).Updates(map[string]any{"title": "X", "nope": 1}).Error
		if err == nil || !strings.Contains(err.Error(), `Updates: unknown field "nope"`) {
			t.Fatalf("map error: %v", err)
		}
		err = db.Select("Title", "Ghost").Create(&Book{Title: "Y"}).Error
		if err == nil || !strings.Contains(err.Error(), `unknown field "Ghost"`) {
			t.Fatalf("create Select error: %v", err)
		}
		var got []Book
		db.Find(&got)
		if len(got) != 1 || got[0].Title != "Dune" {
			t.Fatalf("something was written: %+v", got)
		}
		// A non-struct value is GORM's own error, and no signal runs.
		n := 3
		if err := db.Create(&n).Error; err == nil {
			t.Fatal("Create(&int) succeeded")
		}
		// Table-qualified and association names are fine.
		if err := db.Model(&b).Select("books.title").Updates(map[string]any{"title": "Z"}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&b).Select(clause.Associations, "Title").Updates(map[string]any{"title": "Q"}).Error; err != nil {
			t.Fatal(err)
		}
	})
}

type UniqueTag struct {
	ID   uint
	Name string `gorm:"uniqueIndex"`
}

// An INSERT ... ON CONFLICT DO NOTHING that meets a conflict writes nothing:
// pre_save was sent, post_save is not, as for Django's update that matched
// no row (tests/update_only_fields/tests.py,
// UpdateOnlyFieldsTests.test_update_fields_not_updated).
func TestDoNothingConflictIsNotSaved(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		db.AutoMigrate(&UniqueTag{})
		db.Create(&UniqueTag{Name: "sf"})
		var posts int
		connect(t, modelsignals.PostSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
			if _, ok := ev.Instance.(*UniqueTag); ok {
				posts++
			}
			return nil
		})
		tags := []UniqueTag{{Name: "sf"}, {Name: "new"}}
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&tags).Error; err != nil {
			t.Fatal(err)
		}
		if count(t, db, &UniqueTag{}) != 2 {
			t.Fatalf("rows: %d", count(t, db, &UniqueTag{}))
		}
		wantPosts := 0
		for _, tg := range tags {
			if tg.ID != 0 {
				wantPosts++
			}
		}
		if posts != wantPosts || (dialect != "mariadb" && posts != 1) {
			t.Fatalf("post_save sent %d times for %d rows GORM reports inserted (%+v)", posts, wantPosts, tags)
		}
	})
}
