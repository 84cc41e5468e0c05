package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// failOn connects a receiver that fails with boom on action; the returned
// func disconnects it (as the end of the test does).
func failOn(t *testing.T, action modelsignals.M2MAction, boom error) func() {
	h := modelsignals.M2MChanged.ConnectFunc(func(_ context.Context, ev modelsignals.M2MEvent) error {
		if ev.Action == action {
			return boom
		}
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
	return func() { h.Disconnect() }
}

// An error from any m2m_changed receiver, pre or post, aborts the
// operation; what it wrote is rolled back and the error is returned.
func TestM2MReceiverErrorRollsBack(t *testing.T) {
	boom := errors.New("boom")
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		post, labels := seedPost(t, db, 3)
		if err := db.Model(&post).Association("Labels").Delete(&labels[2]); err != nil {
			t.Fatal(err)
		}
		unchanged := func(action modelsignals.M2MAction, err error) {
			t.Helper()
			if !errors.Is(err, boom) {
				t.Fatalf("%v: err = %v", action, err)
			}
			if n := count(t, db, &Label{}); n != 3 {
				t.Fatalf("%v: %d labels; a new one must be rolled back", action, n)
			}
			if n := count(t, db, &Post{}); n != 1 {
				t.Fatalf("%v: %d posts; a new one must be rolled back", action, n)
			}
			if got := fmt.Sprint(linked(t, db, &post, "Labels")); got != "[1 2]" {
				t.Fatalf("%v: linked %s", action, got)
			}
		}
		for _, action := range []modelsignals.M2MAction{modelsignals.PreAdd, modelsignals.PostAdd} {
			stop := failOn(t, action, boom)
			// Append of a new label: the label and the link are rolled
			// back. Creating an owner with labels: nothing is stored.
			unchanged(action, db.Model(&post).Association("Labels").Append(&labels[2], &Label{Name: "new"}))
			unchanged(action, db.Create(&Post{Title: "q", Labels: labels}).Error)
			stop()
		}
		for _, action := range []modelsignals.M2MAction{modelsignals.PreRemove, modelsignals.PostRemove} {
			stop := failOn(t, action, boom)
			unchanged(action, db.Model(&post).Association("Labels").Delete(&labels[0]))
			// GORM's Replace is two statements: in a transaction, the
			// failing remove rolls back the add too.
			unchanged(action, db.Transaction(func(tx *gorm.DB) error {
				return tx.Model(&post).Association("Labels").Replace(&labels[1], &labels[2])
			}))
			stop()
		}
		for _, action := range []modelsignals.M2MAction{modelsignals.PreClear, modelsignals.PostClear} {
			stop := failOn(t, action, boom)
			unchanged(action, db.Model(&post).Association("Labels").Clear())
			stop()
		}

		// Outside a transaction, Replace's add stands when its remove
		// fails.
		defer failOn(t, modelsignals.PreRemove, boom)()
		if err := db.Model(&post).Association("Labels").Replace(&labels[1], &labels[2]); !errors.Is(err, boom) {
			t.Fatalf("Replace: %v", err)
		}
		if got := fmt.Sprint(linked(t, db, &post, "Labels")); got != "[1 2 3]" {
			t.Fatalf("linked %s", got)
		}
	})
}

// Receivers write with signalsgorm.DB(ctx, db), in the operation's
// transaction: a failing later receiver rolls their writes back too.
func TestM2MReceiverWritesInTransaction(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		post, labels := seedPost(t, db, 0)
		labels = []Label{{Name: "a"}, {Name: "b"}}
		mustCreate(t, db, &labels)
		connect(t, modelsignals.M2MChanged, func(ctx context.Context, ev modelsignals.M2MEvent) error {
			if ev.Action != modelsignals.PostAdd || len(ev.PKSet) == 0 {
				return nil
			}
			return signalsgorm.DB(ctx, db).Model(&Label{}).Where("id IN ?", ev.PKSet).
				UpdateColumn("uses", gorm.Expr("uses + 1")).Error
		})
		if err := db.Model(&post).Association("Labels").Append(&labels[0]); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		connect(t, modelsignals.M2MChanged, func(context.Context, modelsignals.M2MEvent) error { return boom },
			signals.Priority(-1)) // after the counter
		if err := db.Model(&post).Association("Labels").Append(&labels[1]); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		var got []Label
		db.Order("id").Find(&got)
		if got[0].Uses != 1 || got[1].Uses != 0 {
			t.Fatalf("uses %d %d; want 1 0", got[0].Uses, got[1].Uses)
		}
	})
}

// The pre-queries that compute pk_set run in the operation's transaction:
// links written earlier in an open transaction count as linked.
func TestM2MPreQueryInTransaction(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		post, labels := seedPost(t, db, 0)
		labels = []Label{{Name: "a"}, {Name: "b"}}
		mustCreate(t, db, &labels)
		tp := recordM2M(t, nil)
		rollback := errors.New("rollback")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Model(&post).Association("Labels").Append(&labels[0]); err != nil {
				return err
			}
			if err := tx.Model(&post).Association("Labels").Append(&labels[0], &labels[1]); err != nil {
				return err
			}
			if err := tx.Model(&post).Association("Labels").Clear(); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Post.Labels #1 [1]", "post_add Post.Labels #1 [1]",
			"pre_add Post.Labels #1 [2]", "post_add Post.Labels #1 [2]",
			"pre_clear Post.Labels #1 nil removed=[1 2]", "post_clear Post.Labels #1 nil removed=[1 2]")
	})
}

// Join rows deleted with their owner send no m2m_changed: by GORM's
// Select(<relation>).Delete, and by a database cascade. Join rows a
// receiver deletes directly are not taken for the operation it handles.
func TestM2MNoSignalsForOwnerDeletion(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		if err := db.AutoMigrate(&Article{}, &Topic{}); err != nil {
			t.Fatal(err)
		}
		post, _ := seedPost(t, db, 2)
		article := Article{Title: "a", Topics: []Topic{{Name: "t"}}}
		mustCreate(t, db, &article)
		tp := recordM2M(t, nil)

		if err := db.Select("Labels").Delete(&post).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Delete(&article).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t)
		for _, table := range []string{"post_labels", "article_topics"} {
			var n int64
			db.Table(table).Count(&n)
			if n != 0 {
				t.Fatalf("%d rows left in %s", n, table)
			}
		}

		group, person, other := Group{Name: "g"}, Person{Name: "p"}, Person{Name: "o"}
		mustCreate(t, db, &group)
		mustCreate(t, db, &person)
		mustCreate(t, db, &other)
		mustCreate(t, db, &Membership{GroupID: group.ID, PersonID: other.ID})
		connect(t, modelsignals.M2MChanged, func(ctx context.Context, ev modelsignals.M2MEvent) error {
			if ev.Action != modelsignals.PostAdd {
				return nil
			}
			return signalsgorm.DB(ctx, db).Where("person_id = ?", other.ID).Delete(&Membership{}).Error
		})
		if err := db.Model(&group).Association("Members").Append(&person); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Group.Members #1 [1]", "post_add Group.Members #1 [1]")
		if got := fmt.Sprint(linked(t, db, &group, "Members")); got != "[1]" {
			t.Fatalf("members %s", got)
		}
	})
}

// Article's join rows are deleted by the database when an article is.
type Article struct {
	ID     uint
	Title  string
	Topics []Topic `gorm:"many2many:article_topics;constraint:OnDelete:CASCADE"`
}

type Topic struct {
	ID   uint
	Name string
}
