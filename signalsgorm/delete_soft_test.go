package signalsgorm_test

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm"
)

// Soft-deletable models: a post's notes can be soft deleted, its files
// cannot.
type Blog struct {
	ID        uint
	Title     string
	DeletedAt gorm.DeletedAt
	Notes     []Note  `gorm:"constraint:OnDelete:CASCADE"`
	Files     []File  `gorm:"constraint:OnDelete:CASCADE"`
	Topics    []Genre `gorm:"many2many:blog_topics"`
}

type Note struct {
	ID        uint
	BlogID    uint
	DeletedAt gorm.DeletedAt
}

type File struct {
	ID     uint
	BlogID uint
	Path   string
}

func openSoft(t *testing.T, dialect string) (*gorm.DB, *stmtLog, Blog) {
	db, log := openDelete(t, dialect)
	if err := signalsgorm.AutoMigrate(db, &Blog{}, &Note{}, &File{}); err != nil {
		t.Fatal(err)
	}
	p := Blog{Title: "p", Notes: []Note{{}, {}}, Files: []File{{Path: "a.png"}}, Topics: []Genre{{Name: "g"}}}
	mustCreate(t, db, &p)
	log.reset()
	return db, log, p
}

func links(t *testing.T, db *gorm.DB) int64 {
	var n int64
	if err := db.Table("blog_topics").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A soft delete sends the delete signals with Soft set, for the row and
// for the soft-deletable rows it cascades to; rows that cannot be soft
// deleted, and many2many links, are kept, as is everything a SET_NULL
// would change: the row is still there.
func TestDeleteSoft(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _, p := openSoft(t, dialect)
		// An already soft-deleted note is not deleted again.
		if err := db.Delete(&p.Notes[1]).Error; err != nil {
			t.Fatal(err)
		}
		tp := recordDeletes(t)
		arg := &Blog{ID: p.ID}
		tx := db.Delete(arg)
		if tx.Error != nil || tx.RowsAffected != 1 {
			t.Fatal(tx.Error, tx.RowsAffected)
		}
		evs := tp.check(t, "pre_delete signalsgorm_test.Note id=1", "pre_delete signalsgorm_test.Blog id=1",
			"post_delete signalsgorm_test.Note id=1", "post_delete signalsgorm_test.Blog id=1")
		for _, ev := range evs {
			if !ev.Soft {
				t.Fatalf("event %+v not soft", ev)
			}
		}
		post, note := evs[3].Instance.(*Blog), evs[2].Instance.(*Note)
		if post != arg || !post.DeletedAt.Valid || post.Title != "p" {
			t.Fatalf("post_delete instance %+v", post)
		}
		// One deletion, one time: the cascade can be undone by it.
		var stored Note
		db.Unscoped().First(&stored, note.ID)
		if !note.DeletedAt.Time.Equal(post.DeletedAt.Time) || !stored.DeletedAt.Valid ||
			stored.DeletedAt.Time.Sub(post.DeletedAt.Time).Abs() > time.Millisecond {
			t.Fatalf("deleted at %v, %v, stored %v", note.DeletedAt, post.DeletedAt, stored.DeletedAt)
		}
		if res, _ := signalsgorm.DeleteResultOf(tx); res.Total != 2 || res.PerModel["signalsgorm_test.Note"] != 1 {
			t.Fatalf("%+v", res)
		}
		wantCounts(t, db, "Blog=1 Note=2 File=1", &Blog{}, &Note{}, &File{})
		var visible int64
		db.Model(&Note{}).Count(&visible)
		if visible != 0 || count(t, db, &Blog{}) != 0 || links(t, db) != 1 {
			t.Fatalf("visible notes %d, links %d", visible, links(t, db))
		}

		// Unscoped: a hard delete of the row and of everything it
		// cascades to, soft-deleted rows included.
		tx = db.Unscoped().Delete(arg)
		if tx.Error != nil || tx.RowsAffected != 1 {
			t.Fatal(tx.Error, tx.RowsAffected)
		}
		// Notes before Files: the order of Blog's fields.
		evs = tp.check(t, "pre_delete signalsgorm_test.Note id=1", "pre_delete signalsgorm_test.Note id=2", "pre_delete signalsgorm_test.File id=1",
			"pre_delete signalsgorm_test.Blog id=1",
			"post_delete signalsgorm_test.Note id=2", "post_delete signalsgorm_test.Note id=1", "post_delete signalsgorm_test.File id=1",
			"post_delete signalsgorm_test.Blog id=1")
		if evs[0].Soft {
			t.Fatal("hard delete reported soft")
		}
		wantCounts(t, db, "Blog=0 Note=0 File=0", &Blog{}, &Note{}, &File{})
		if links(t, db) != 0 {
			t.Fatal("links kept")
		}
	})
}

// Without receivers, a soft delete is one UPDATE per relation.
func TestDeleteSoftFast(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log, p := openSoft(t, dialect)
		if err := db.Delete(&p).Error; err != nil {
			t.Fatal(err)
		}
		got := log.take()
		if len(got) != 3 || !strings.HasPrefix(got[0], "SELECT") ||
			!strings.Contains(got[1], "UPDATE") || !strings.Contains(got[1], "notes") ||
			!strings.Contains(got[2], "UPDATE") || !strings.Contains(got[2], "blogs") {
			t.Fatalf("statements:\n%s", strings.Join(got, "\n"))
		}
		var visible int64
		db.Model(&Note{}).Count(&visible)
		if visible != 0 || count(t, db, &Blog{}) != 0 {
			t.Fatal("not soft deleted")
		}
	})
}
