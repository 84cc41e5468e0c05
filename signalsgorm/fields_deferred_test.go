package signalsgorm_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm"
)

// A Save of an object loaded with a column subset writes the loaded
// columns, not zeros over the others (tests/update_only_fields/tests.py,
// UpdateOnlyFieldsTests.test_update_fields_only_1,
// test_update_fields_deferred); its save signals carry those columns as
// update fields.
func TestSaveOfPartlyLoadedObjectWritesOnlyLoadedColumns(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect)
		orig := Essay{Title: "Sara", Slug: "sara", Words: 22}
		db.Create(&orig)
		loads := []struct {
			name string
			load func(e *Essay) error
			want string // update fields of the Save
		}{
			{"Select", func(e *Essay) error { return db.Select("id", "title").First(e, orig.ID).Error }, "Title"},
			{"Select one string", func(e *Essay) error { return db.Select("id, title").First(e, orig.ID).Error }, "Title"},
			{"Select table.column", func(e *Essay) error { return db.Select("essays.id", "essays.title").First(e, orig.ID).Error }, "Title"},
			{"Omit", func(e *Essay) error { return db.Omit("slug", "words").First(e, orig.ID).Error }, "CreatedAt,Title"},
			{"select expression", func(e *Essay) error {
				return db.Select("id, COALESCE(title, ?) AS title", "none").First(e, orig.ID).Error
			}, "Title"},
		}
		for _, l := range loads {
			db.Save(&orig) // restore
			var e Essay
			if err := l.load(&e); err != nil {
				t.Fatalf("%s: %v", l.name, err)
			}
			tp := recordSaves(t)
			e.Title = "Emily"
			if err := db.Save(&e).Error; err != nil {
				t.Fatalf("%s: %v", l.name, err)
			}
			got := stored(t, db, orig.ID)
			if got.Title != "Emily" || got.Slug != "sara" || got.Words != 22 || got.CreatedAt.IsZero() {
				t.Fatalf("%s: stored %+v", l.name, got)
			}
			tp.check(t, "pre_save signalsgorm_test.Essay fields="+l.want, "post_save signalsgorm_test.Essay fields="+l.want)
			orig.Title = "Sara"
		}
	})
}

// A field set after a partial load is saved too, as Django adds an
// assigned deferred field to the fields saved
// (UpdateOnlyFieldsTests.test_update_fields_deferred); repeated saves stay
// partial (test_update_fields_only_repeated).
func TestSaveOfPartlyLoadedObjectWritesFieldsSetSince(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect)
		orig := Essay{Title: "Sara", Slug: "sara", Words: 22}
		db.Create(&orig)
		var e Essay
		db.Select("id", "title").First(&e, orig.ID)
		e.Words = 7
		if err := db.Save(&e).Error; err != nil {
			t.Fatal(err)
		}
		if got := stored(t, db, e.ID); got.Words != 7 || got.Slug != "sara" || got.Title != "Sara" {
			t.Fatalf("stored %+v", got)
		}
		e.Title = "Again"
		if err := db.Save(&e).Error; err != nil {
			t.Fatal(err)
		}
		if got := stored(t, db, e.ID); got.Title != "Again" || got.Slug != "sara" || got.Words != 7 {
			t.Fatalf("stored %+v after a second save", got)
		}
	})
}

// Objects of a slice (of values or pointers) are remembered one by one; a
// full load of the same memory makes it a full object again, for the whole
// slice or one element.
func TestPartlyLoadedSlicesAndFullReloads(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect)
		db.Create(&[]Essay{{Title: "A", Slug: "a", Words: 1}, {Title: "B", Slug: "b", Words: 2}})
		var es []Essay
		db.Select("id", "title").Order("id").Find(&es)
		var ps []*Essay
		db.Select("id", "words").Order("id").Find(&ps)
		es[1].Title = "B2"
		db.Save(&es[1])
		ps[0].Words = 10
		db.Save(ps[0])
		a, b := stored(t, db, es[0].ID), stored(t, db, es[1].ID)
		if a.Words != 10 || a.Slug != "a" || a.Title != "A" || b.Title != "B2" || b.Slug != "b" || b.Words != 2 {
			t.Fatalf("stored %+v %+v", a, b)
		}

		// A full load into the first element: its Save writes every field.
		db.First(&es[0], es[0].ID)
		es[0].Slug = ""
		tp := recordSaves(t)
		db.Save(&es[0])
		db.Save(&es[1])
		tp.check(t, "pre_save signalsgorm_test.Essay", "post_save signalsgorm_test.Essay",
			"pre_save signalsgorm_test.Essay fields=Title", "post_save signalsgorm_test.Essay fields=Title")
		if a := stored(t, db, es[0].ID); a.Slug != "" {
			t.Fatalf("a full object's Save did not write Slug: %+v", a)
		}
	})
}

// A partly loaded object whose row is gone: Save is an update with update
// fields, so it fails with ErrNotUpdated instead of inserting the object
// with zeros (UpdateOnlyFieldsTests.test_update_fields_not_updated); an
// object loaded with nothing but its key, and nothing set since, has
// nothing to save.
func TestSaveOfPartlyLoadedObjectWithoutRowOrFields(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect)
		orig := Essay{Title: "Sara", Slug: "sara"}
		db.Create(&orig)
		var e Essay
		db.Select("id", "title").First(&e, orig.ID)
		var k Essay
		db.Select("id").First(&k, orig.ID)

		if err := db.Save(&k).Error; err == nil || !strings.Contains(err.Error(), "nothing to save") {
			t.Fatalf("Save of a key-only object: %v", err)
		}
		db.Delete(&Essay{}, orig.ID)
		e.Title = "Emily"
		err := db.Save(&e).Error
		if !errors.Is(err, signalsgorm.ErrNotUpdated) {
			t.Fatalf("err = %v", err)
		}
		if n := count(t, db, &Essay{}); n != 0 {
			t.Fatalf("%d rows: the object was inserted", n)
		}
	})
}

// On MySQL/MariaDB an UPDATE that changes nothing affects 0 rows; GORM's
// Save would then insert the object with ON DUPLICATE KEY UPDATE, zeros
// included. A partly loaded object saved unchanged keeps its other columns.
func TestUnchangedSaveOfPartlyLoadedObjectKeepsOtherColumns(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect)
		s := newStaff(t, db) // Staff has no UpdatedAt, which would change the row
		var p Staff
		db.Select("id", "name").First(&p, s.ID)
		res := db.Save(&p)
		if res.Error != nil || res.RowsAffected != 1 {
			t.Fatalf("err %v, %d rows", res.Error, res.RowsAffected)
		}
		var got Staff
		db.First(&got, s.ID)
		if got.Gender != "F" || got.StaffProfileID == nil {
			t.Fatalf("stored %+v", got)
		}
	})
}

// What the plugin remembers of partial loads does not keep objects alive,
// and goes away with them.
func TestPartialLoadsAreForgottenWithTheirObjects(t *testing.T) {
	db := openFields(t, "sqlite")
	db.Create(&[]Essay{{Title: "A"}, {Title: "B"}})
	for range 50 {
		var es []Essay
		db.Select("id", "title").Find(&es)
		var e Essay
		db.Select("title").First(&e)
	}
	if n := signalsgorm.PartialLoads(db); n == 0 {
		t.Fatal("no partial load remembered")
	}
	deadline := time.Now().Add(10 * time.Second)
	for signalsgorm.PartialLoads(db) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d partial loads still held after their objects became unreachable", signalsgorm.PartialLoads(db))
		}
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	var _ *gorm.DB = db
}
