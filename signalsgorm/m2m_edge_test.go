package signalsgorm_test

import (
	"context"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// Like the save signals, m2m_changed is not sent for statements with
// SkipHooks or DryRun.
func TestM2MSkipHooksAndDryRun(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		post, labels := seedPost(t, db, 2)
		tp := recordM2M(t, nil)
		for _, s := range []*gorm.Session{{SkipHooks: true}, {DryRun: true}} {
			tx := db.Session(s)
			if err := tx.Model(&post).Association("Labels").Delete(&labels[0]); err != nil {
				t.Fatal(err)
			}
			if err := tx.Model(&post).Association("Labels").Clear(); err != nil {
				t.Fatal(err)
			}
			if err := tx.Model(&post).Association("Labels").Append(&labels[0]); err != nil {
				t.Fatal(err)
			}
		}
		tp.check(t)
		if got := fmt.Sprint(linked(t, db, &post, "Labels")); got != "[1]" {
			t.Fatalf("linked %s", got) // the SkipHooks writes ran
		}
	})
}

// A receiver that uses an association itself gets that operation's
// signals, attributed to it: the outer operation's method does not leak
// into the statements receivers run.
func TestM2MNestedOperations(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		labels := []Label{{Name: "a"}, {Name: "b"}}
		mustCreate(t, db, &labels)
		posts := []Post{{Title: "main"}, {Title: "mirror"}}
		mustCreate(t, db, &posts)
		tp := recordM2M(t, nil)
		// After an add to the main post, the mirror post gets its labels.
		connect(t, modelsignals.M2MChanged, func(ctx context.Context, ev modelsignals.M2MEvent) error {
			p, ok := ev.Instance.(*Post)
			if ev.Action != modelsignals.PostAdd || !ok || p.ID != posts[0].ID {
				return nil
			}
			var all []Label
			if err := signalsgorm.DB(ctx, db).Model(p).Association("Labels").Find(&all); err != nil {
				return err
			}
			return signalsgorm.DB(ctx, db).Model(&posts[1]).Association("Labels").Append(&all)
		})
		if err := db.Model(&posts[0]).Association("Labels").Append(&labels[0], &labels[1]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Post.Labels #1 [1 2]", "post_add Post.Labels #1 [1 2]",
			"pre_add Post.Labels #2 [1 2]", "post_add Post.Labels #2 [1 2]")
		// Nothing new for either: the receiver's Append is an Append too,
		// and sends its empty add.
		if err := db.Model(&posts[0]).Association("Labels").Append(&labels[0]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Post.Labels #1 []", "post_add Post.Labels #1 []",
			"pre_add Post.Labels #2 []", "post_add Post.Labels #2 []")
		if got := fmt.Sprint(linked(t, db, &posts[1], "Labels")); got != "[1 2]" {
			t.Fatalf("mirror labels %s", got)
		}
	})
}
