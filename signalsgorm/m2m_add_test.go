package signalsgorm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gosignals/signals/modelsignals"
)

// Append sends pre_add and post_add with the keys not linked before, with
// every argument, as Django's add (tests/m2m_signals/tests.py, ManyToManySignalsTest.test_m2m_relations_add_remove_clear
// and test_pk_set_on_repeated_add_remove).
func TestM2MAppend(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		labels := []Label{{Name: "go"}, {Name: "sql"}, {Name: "orm"}}
		mustCreate(t, db, &labels)
		post := Post{Title: "p"}
		mustCreate(t, db, &post)
		th := through(t, db, &Post{}, "Labels")
		tp := recordM2M(t, th)

		if err := db.Model(&post).Association("Labels").Append(&labels[0], &labels[1]); err != nil {
			t.Fatal(err)
		}
		evs := tp.check(t, "pre_add Post.Labels #1 [1 2]", "post_add Post.Labels #1 [1 2]")
		for _, ev := range evs {
			if ev.Instance != &post || ev.Through != th || ev.Model.Type.Name() != "Post" || ev.Related.Type.Name() != "Label" ||
				ev.Reverse || ev.Using != "default" || ev.Removed != nil || ev.Through.Table != "post_labels" {
				t.Fatalf("event %+v", ev)
			}
		}
		if th.Label != "signalsgorm_test.Post_Labels" {
			t.Fatalf("through label %q", th.Label)
		}

		// Keys already linked are left out of pk_set.
		if err := db.Model(&post).Association("Labels").Append(&labels[1], &labels[2]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Post.Labels #1 [3]", "post_add Post.Labels #1 [3]")

		// Only linked keys: the signals are sent anyway, with an empty set.
		if err := db.Model(&post).Association("Labels").Append(&labels[0]); err != nil {
			t.Fatal(err)
		}
		evs = tp.check(t, "pre_add Post.Labels #1 []", "post_add Post.Labels #1 []")
		if evs[0].PKSet == nil {
			t.Fatal("pk_set of an add is nil; want an empty set")
		}

		// Append with nothing does nothing.
		if err := db.Model(&post).Association("Labels").Append(); err != nil {
			t.Fatal(err)
		}
		tp.check(t)
		if got := fmt.Sprint(linked(t, db, &post, "Labels")); got != "[1 2 3]" {
			t.Fatalf("linked %s", got)
		}
	})
}

// Appending an object not stored yet saves it (its own pre_save and
// post_save), then links it: pk_set has its new key, as Django's create on
// a relation (tests/m2m_signals/tests.py, ManyToManySignalsTest.test_m2m_relations_signals_alternative_ways).
func TestM2MAppendNewObject(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		post := Post{Title: "p"}
		mustCreate(t, db, &post)
		saves := recordSaves(t)
		tp := recordM2M(t, nil)
		var order []string
		connect(t, modelsignals.M2MChanged, func(_ context.Context, ev modelsignals.M2MEvent) error {
			order = append(order, ev.Action.String())
			return nil
		})
		connect(t, modelsignals.PostSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
			order = append(order, "post_save "+ev.Model.Type.Name())
			return nil
		})

		fresh := Label{Name: "new"}
		if err := db.Model(&post).Association("Labels").Append(&fresh); err != nil {
			t.Fatal(err)
		}
		if fresh.ID == 0 {
			t.Fatal("the appended label was not created")
		}
		tp.check(t, fmt.Sprintf("pre_add Post.Labels #1 [%d]", fresh.ID), fmt.Sprintf("post_add Post.Labels #1 [%d]", fresh.ID))
		saves.check(t, `pre_save signalsgorm_test.Label`, `post_save signalsgorm_test.Label created`)
		if fmt.Sprint(order) != "[post_save Label pre_add post_add]" {
			t.Fatalf("order %v", order)
		}
	})
}

// Creating or saving an owner whose many2many field is filled sends add
// signals for the links written, and nothing when none is new.
func TestM2MCreateAndSaveOwner(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		old := Label{Name: "old"}
		mustCreate(t, db, &old)
		tp := recordM2M(t, nil)

		post := Post{Title: "p", Labels: []Label{old, {Name: "fresh"}}}
		mustCreate(t, db, &post)
		tp.check(t, "pre_add Post.Labels #1 [1 2]", "post_add Post.Labels #1 [1 2]")

		// Saving it again writes no new link: no signal.
		post.Title = "p2"
		if err := db.Save(&post).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t)

		// One more label in the slice: pk_set has only that one.
		// (MariaDB's upserts of the linked labels consume auto-increment
		// values: the new key is read from the object.)
		post.Labels = append(post.Labels, Label{Name: "third"})
		if err := db.Save(&post).Error; err != nil {
			t.Fatal(err)
		}
		third := post.Labels[2].ID
		tp.check(t, fmt.Sprintf("pre_add Post.Labels #1 [%d]", third), fmt.Sprintf("post_add Post.Labels #1 [%d]", third))

		// A batch: one pair per owner, pre_add for each, the insert, then
		// post_add for each.
		posts := []Post{{Title: "a", Labels: []Label{old}}, {Title: "b"}, {Title: "c", Labels: []Label{old, post.Labels[1]}}}
		mustCreate(t, db, &posts)
		tp.check(t, "pre_add Post.Labels #2 [1]", "pre_add Post.Labels #4 [1 2]", "post_add Post.Labels #2 [1]", "post_add Post.Labels #4 [1 2]")

		// The reverse side saves the same way.
		label := Label{Name: "rev", Posts: []Post{posts[1]}}
		mustCreate(t, db, &label)
		tp.check(t, fmt.Sprintf("pre_add Label.Posts #%d [3] reverse", label.ID), fmt.Sprintf("post_add Label.Posts #%d [3] reverse", label.ID))
	})
}
