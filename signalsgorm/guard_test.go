package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// The seeds' infinite loop: a post_save receiver that saves its own
// instance. The guard stops it with an error naming the chain.
func TestRecursionGuard(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		calls := 0
		h := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
			calls++
			ev.Instance.Pages++
			return signalsgorm.DB(ctx, db).Save(ev.Instance).Error
		})
		b := Book{Title: "Loop"}
		err := db.Create(&b).Error
		h.Disconnect()
		if !errors.Is(err, signalsgorm.ErrRecursiveSave) || !strings.Contains(err.Error(), fmt.Sprintf("signalsgorm_test.Book(new) → signalsgorm_test.Book#%d", b.ID)) {
			t.Fatalf("err = %v", err)
		}
		if calls != 1 || count(t, db, &Book{}) != 0 {
			t.Fatalf("%d calls; rows %d (the failed save must roll back)", calls, count(t, db, &Book{}))
		}

		// A cycle: saving a book saves its author, whose save saves the book.
		db.Create(&Author{Name: "A", Books: []Book{{Title: "B"}}})
		h1 := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
			var a Author
			signalsgorm.DB(ctx, db).First(&a, ev.Instance.AuthorID)
			return signalsgorm.DB(ctx, db).Save(&a).Error
		})
		h2 := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Author]) error {
			var bs []Book
			signalsgorm.DB(ctx, db).Where("author_id = ?", ev.Instance.ID).Find(&bs)
			return signalsgorm.DB(ctx, db).Save(&bs).Error
		})
		var book Book
		db.First(&book, "title = ?", "B")
		err = db.Save(&book).Error
		h1.Disconnect()
		h2.Disconnect()
		want := fmt.Sprintf("signalsgorm_test.Book#%d → signalsgorm_test.Author#%d → signalsgorm_test.Book#%d", book.ID, *book.AuthorID, book.ID)
		if !errors.Is(err, signalsgorm.ErrRecursiveSave) || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v", err)
		}

		// An intended, bounded re-save is allowed.
		resaves := 0
		h3 := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
			if !ev.Created {
				return nil
			}
			resaves++
			ev.Instance.Title += " (#" + strings.Repeat("I", int(ev.Instance.ID)) + ")"
			return signalsgorm.DB(signalsgorm.AllowResave(ctx, 1), db).Save(ev.Instance).Error
		})
		defer h3.Disconnect()
		c := Book{Title: "Numbered"}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		var stored Book
		db.First(&stored, c.ID)
		if resaves != 1 || !strings.HasPrefix(stored.Title, "Numbered (#") {
			t.Fatalf("resaves %d, stored %q", resaves, stored.Title)
		}
	})
}

// Saves that create new objects forever are stopped by the depth bound.
func TestRecursionDepth(t *testing.T) {
	db := open(t, "sqlite")
	h := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Tag]) error {
		return signalsgorm.DB(ctx, db).Create(&Tag{Name: ev.Instance.Name + "+"}).Error
	})
	defer h.Disconnect()
	err := db.Create(&Tag{Name: "t"}).Error
	if !errors.Is(err, signalsgorm.ErrRecursiveSave) || !strings.Contains(err.Error(), "nested 32 deep") {
		t.Fatalf("err = %v", err)
	}
}
