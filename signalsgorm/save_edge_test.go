package signalsgorm_test

import (
	"testing"

	"gorm.io/gorm"
)

// GORM's association selections ("Tags.*") are not unknown fields.
func TestAssociationSelectionsAccepted(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		tag := Tag{Name: "sf"}
		db.Create(&tag)
		b := Book{Title: "Dune", Tags: []Tag{tag}}
		if err := db.Omit("Tags.*").Create(&b).Error; err != nil {
			t.Fatal(err)
		}
		var n int64
		db.Table("book_tags").Count(&n)
		if n != 1 {
			t.Fatalf("%d join rows", n)
		}
	})
}

// Updates(&map) is Updates(map): same signals, same update_fields.
func TestUpdatesPointerToMap(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		b := Book{Title: "Dune"}
		db.Create(&b)
		tp := recordSaves(t)
		m := map[string]any{"title": "Emma"}
		if err := db.Model(&b).Updates(&m).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, `pre_save signalsgorm_test.Book "Emma" id=true fields=Title`, `post_save signalsgorm_test.Book "Emma" id=true fields=Title`)
	})
}

// A Select("*") update of a missing row is followed by no insert; a later
// SkipHooks create of the same value must not resume it.
func TestNoStrayFallbackPostSave(t *testing.T) {
	db := open(t, "sqlite")
	tp := recordSaves(t)
	b := Book{ID: 42, Title: "Ghost"}
	db.Select("*").Updates(&b)
	tp.take()
	db.Session(&gorm.Session{SkipHooks: true}).Create(&b)
	tp.check(t)
}
