package signalsgorm_test

import (
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm"
)

// With ReportNotUpdated, an instance save with update fields whose row is
// gone fails with ErrNotUpdated, after pre_save and without post_save, as
// Django's Model.NotUpdated (tests/update_only_fields/tests.py,
// UpdateOnlyFieldsTests.test_update_fields_not_updated).
func TestReportNotUpdatedFailsInstanceSaveOfDeletedRow(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect, signalsgorm.ReportNotUpdated())
		e := Essay{Title: "Sara"}
		db.Create(&e)
		db.Delete(&Essay{}, e.ID)
		tp := recordSaves(t)
		saves := []struct {
			name string
			run  func() *gorm.DB
		}{
			{"Updates map", func() *gorm.DB { return db.Model(&e).Updates(map[string]any{"Title": "Ian"}) }},
			{"Update", func() *gorm.DB { return db.Model(&e).Update("title", "Ian") }},
			{"Updates struct", func() *gorm.DB { return db.Model(&e).Updates(Essay{Title: "Ian"}) }},
			{"Select Save", func() *gorm.DB { e.Title = "Ian"; return db.Select("Title").Save(&e) }},
		}
		for _, s := range saves {
			err := s.run().Error
			var nu *signalsgorm.NotUpdatedError
			if !errors.Is(err, signalsgorm.ErrNotUpdated) || !errors.As(err, &nu) ||
				nu.Model != "signalsgorm_test.Essay" || nu.Key == "" || len(nu.UpdateFields) != 1 || nu.UpdateFields[0] != "Title" {
				t.Fatalf("%s: err = %v", s.name, err)
			}
			tp.check(t, `pre_save signalsgorm_test.Essay fields=Title`) // no post_save
		}
		if n := count(t, db, &Essay{}); n != 0 {
			t.Fatalf("%d rows: a failed update inserted one", n)
		}
	})
}

// Updates GORM users run on conditions, bulk updates, full saves and
// unchanged rows are not instance saves that failed: no error, even with
// ReportNotUpdated.
func TestReportNotUpdatedLeavesOtherUpdatesAlone(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect, signalsgorm.ReportNotUpdated())
		e := Essay{Title: "Sara", Words: 5}
		db.Create(&e)
		steps := []struct {
			name string
			run  func() *gorm.DB
			rows int64
		}{
			{"condition matching nothing", func() *gorm.DB { return db.Model(&e).Where("words > ?", 100).Update("title", "X") }, 0},
			{"bulk matching nothing", func() *gorm.DB { return db.Model(&Essay{}).Where("words > ?", 100).Update("title", "X") }, 0},
			{"unchanged values", func() *gorm.DB { return db.Model(&e).Updates(map[string]any{"Title": "Sara"}) }, -1},
			{"Save of a missing row inserts it", func() *gorm.DB { return db.Save(&Essay{ID: e.ID + 100, Title: "New"}) }, 1},
		}
		for _, s := range steps {
			res := s.run()
			if res.Error != nil || s.rows >= 0 && res.RowsAffected != s.rows {
				t.Fatalf("%s: err %v, %d rows", s.name, res.Error, res.RowsAffected)
			}
		}
		if n := count(t, db, &Essay{}); n != 2 {
			t.Fatalf("%d rows", n)
		}
	})
}

// Without the option, GORM's behaviour stays: no error, RowsAffected 0; the
// plugin sends pre_save and no post_save.
func TestInstanceSaveOfDeletedRowWithoutOptionIsNoError(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect)
		e := Essay{Title: "Sara"}
		db.Create(&e)
		db.Delete(&Essay{}, e.ID)
		tp := recordSaves(t)
		res := db.Model(&e).Updates(map[string]any{"Title": "Ian"})
		if res.Error != nil || res.RowsAffected != 0 {
			t.Fatalf("err %v, %d rows", res.Error, res.RowsAffected)
		}
		tp.check(t, `pre_save signalsgorm_test.Essay fields=Title`)
	})
}

type Draft struct {
	ID        uint
	Title     string
	DeletedAt gorm.DeletedAt
}

// A soft-deleted row does not match an instance save: ErrNotUpdated.
func TestReportNotUpdatedFailsInstanceSaveOfSoftDeletedRow(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect, signalsgorm.ReportNotUpdated())
		if err := db.AutoMigrate(&Draft{}); err != nil {
			t.Fatal(err)
		}
		d := Draft{Title: "a"}
		db.Create(&d)
		db.Delete(&d)
		if err := db.Model(&d).Update("Title", "b").Error; !errors.Is(err, signalsgorm.ErrNotUpdated) {
			t.Fatalf("err = %v", err)
		}
	})
}
