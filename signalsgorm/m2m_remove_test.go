package signalsgorm_test

import (
	"fmt"
	"testing"

	"gorm.io/gorm"
)

// seedPost stores a post linked to labels 1..n, with nothing recorded.
func seedPost(t *testing.T, db *gorm.DB, n int) (Post, []Label) {
	t.Helper()
	labels := make([]Label, n)
	for i := range labels {
		labels[i].Name = fmt.Sprint("l", i+1)
	}
	if n > 0 {
		mustCreate(t, db, &labels)
	}
	post := Post{Title: "p", Labels: labels}
	mustCreate(t, db, &post)
	post.Labels = nil
	return post, labels
}

// Delete sends pre_remove and post_remove with every key submitted, linked
// or not; with no objects it sends nothing, as Django's remove
// (tests/m2m_signals/tests.py, ManyToManySignalsTest.test_m2m_relations_signals_remove_relation).
// Removed has the keys that were linked.
func TestM2MDelete(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		post, labels := seedPost(t, db, 3)
		stray := Label{Name: "stray"}
		mustCreate(t, db, &stray)
		tp := recordM2M(t, through(t, db, &Post{}, "Labels"))

		if err := db.Model(&post).Association("Labels").Delete(&labels[0], &stray); err != nil {
			t.Fatal(err)
		}
		evs := tp.check(t, "pre_remove Post.Labels #1 [1 4] removed=[1]", "post_remove Post.Labels #1 [1 4] removed=[1]")
		// The instance is the post, read in the transaction: GORM's
		// statement for Delete no longer holds the caller's pointer.
		if p, ok := evs[0].Instance.(*Post); !ok || p.ID != 1 || p.Title != "p" {
			t.Fatalf("instance %#v", evs[0].Instance)
		}
		if got := fmt.Sprint(linked(t, db, &post, "Labels")); got != "[2 3]" {
			t.Fatalf("linked %s", got)
		}

		// Removing again still reports the keys.
		if err := db.Model(&post).Association("Labels").Delete(&labels[0]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_remove Post.Labels #1 [1] removed=[]", "post_remove Post.Labels #1 [1] removed=[]")

		if err := db.Model(&post).Association("Labels").Delete(); err != nil {
			t.Fatal(err)
		}
		tp.check(t)
	})
}

// Clear sends pre_clear and post_clear with pk_set nil, even when the
// relation is empty, as Django's clear
// (tests/m2m_signals/tests.py, ManyToManySignalsTest.test_m2m_relations_signals_clear_all_parts_of_the_self_vw);
// Removed has the keys it unlinks.
func TestM2MClear(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		post, _ := seedPost(t, db, 2)
		tp := recordM2M(t, nil)

		if err := db.Model(&post).Association("Labels").Clear(); err != nil {
			t.Fatal(err)
		}
		evs := tp.check(t, "pre_clear Post.Labels #1 nil removed=[1 2]", "post_clear Post.Labels #1 nil removed=[1 2]")
		if evs[0].Instance.(*Post).ID != post.ID {
			t.Fatalf("instance %#v", evs[0].Instance)
		}
		if n := len(linked(t, db, &post, "Labels")); n != 0 {
			t.Fatalf("%d labels left", n)
		}

		if err := db.Model(&post).Association("Labels").Clear(); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_clear Post.Labels #1 nil removed=[]", "post_clear Post.Labels #1 nil removed=[]")
	})
}

// Replace, like Django's set
// (tests/m2m_signals/tests.py, ManyToManySignalsTest.test_m2m_relations_signals_clearing_removing), reports the keys removed (old not in new) and the keys
// added (new not in old), each only when not empty; replacing with the
// same set sends nothing. GORM inserts before it deletes, and the signals
// follow its order.
func TestM2MReplace(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		post, labels := seedPost(t, db, 4)
		tp := recordM2M(t, nil)

		if err := db.Model(&post).Association("Labels").Replace(&labels[1], &labels[2]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_remove Post.Labels #1 [1 4]", "post_remove Post.Labels #1 [1 4]")

		if err := db.Model(&post).Association("Labels").Replace(&labels[1], &labels[2]); err != nil {
			t.Fatal(err)
		}
		tp.check(t)

		if err := db.Model(&post).Association("Labels").Replace(&labels[2], &labels[3]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Post.Labels #1 [4]", "post_add Post.Labels #1 [4]",
			"pre_remove Post.Labels #1 [2]", "post_remove Post.Labels #1 [2]")
		if got := fmt.Sprint(linked(t, db, &post, "Labels")); got != "[3 4]" {
			t.Fatalf("linked %s", got)
		}

		// Replace with nothing is Django's set([]): a remove of every key.
		if err := db.Model(&post).Association("Labels").Replace(); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_remove Post.Labels #1 [3 4]", "post_remove Post.Labels #1 [3 4]")
		if err := db.Model(&post).Association("Labels").Replace(); err != nil {
			t.Fatal(err)
		}
		tp.check(t)
	})
}

// Several owners at once: one pair per owner.
func TestM2MSeveralOwners(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		labels := []Label{{Name: "a"}, {Name: "b"}}
		mustCreate(t, db, &labels)
		posts := []Post{{Title: "x", Labels: labels}, {Title: "y", Labels: labels[:1]}}
		mustCreate(t, db, &posts)
		tp := recordM2M(t, nil)

		if err := db.Model(&posts).Association("Labels").Delete(&labels[0]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_remove Post.Labels #1 [1]", "pre_remove Post.Labels #2 [1]",
			"post_remove Post.Labels #1 [1]", "post_remove Post.Labels #2 [1]")

		if err := db.Model(&posts).Association("Labels").Clear(); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_clear Post.Labels #1 nil removed=[2]", "pre_clear Post.Labels #2 nil removed=[]",
			"post_clear Post.Labels #1 nil removed=[2]", "post_clear Post.Labels #2 nil removed=[]")

		// Append to a slice of owners takes one value per owner.
		if err := db.Model(&posts).Association("Labels").Append(&labels[0], &labels[1]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Post.Labels #1 [1]", "post_add Post.Labels #1 [1]",
			"pre_add Post.Labels #2 [2]", "post_add Post.Labels #2 [2]")
	})
}
