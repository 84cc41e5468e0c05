package signalsgorm_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gosignals/signals/signalsgorm"
)

// The deletes GORM runs itself go through the collector too: an unscoped
// association Clear deletes the novels, which cascade, with signals.
func TestDeleteThroughAssociation(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		tp := recordDeletes(t)
		if err := db.Model(&w).Association("Novels").Unscoped().Clear(); err != nil {
			t.Fatal(err)
		}
		got, _ := tp.take()
		if len(got) != 10 {
			t.Fatalf("signals %v", got)
		}
		wantCounts(t, db, "Writer=1 Novel=0 Review=0", &Writer{}, &Novel{}, &Review{})
	})
}

// db.Select("Novels").Delete(&w): GORM deletes the novels first, by a
// delete of its own that the collector handles (their reviews cascade,
// with signals); the writer's deletion then leaves that relation alone.
func TestDeleteSelectedAssociations(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		tp := recordDeletes(t)
		log.reset()
		if err := db.Select("Novels").Delete(&w).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t,
			"pre_delete signalsgorm_test.Review id=1", "pre_delete signalsgorm_test.Review id=2", "pre_delete signalsgorm_test.Review id=3",
			"pre_delete signalsgorm_test.Novel id=1", "pre_delete signalsgorm_test.Novel id=2",
			"post_delete signalsgorm_test.Review id=3", "post_delete signalsgorm_test.Review id=2", "post_delete signalsgorm_test.Review id=1",
			"post_delete signalsgorm_test.Novel id=2", "post_delete signalsgorm_test.Novel id=1",
			"pre_delete signalsgorm_test.Writer id=1", "post_delete signalsgorm_test.Writer id=1")
		novels := 0
		for _, s := range log.take() {
			if strings.HasPrefix(s, "SELECT * FROM") && strings.Contains(s, "novels") {
				novels++
			}
		}
		if novels != 1 {
			t.Fatalf("novels read %d times", novels)
		}
		wantCounts(t, db, "Writer=0 Novel=0 Review=0", &Writer{}, &Novel{}, &Review{})
	})
}

// Session{SkipHooks: true} sends no signal and still cascades; DryRun
// runs nothing.
func TestDeleteSkipHooksDryRun(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		tp := recordDeletes(t)
		log.reset()
		if err := db.Session(&gorm.Session{DryRun: true}).Delete(&w).Error; err != nil {
			t.Fatal(err)
		}
		if got := log.take(); len(got) != 0 {
			t.Fatalf("DryRun ran %v", got)
		}
		tp.check(t)
		res, err := signalsgorm.Delete(db.Session(&gorm.Session{SkipHooks: true}), &w)
		if err != nil || res.Total != 7 {
			t.Fatalf("%+v %v", res, err)
		}
		tp.check(t)
		wantCounts(t, db, "Writer=0 Novel=0 Review=0", &Writer{}, &Novel{}, &Review{})
	})
}

// A RETURNING clause gets the deleted rows of the model, as GORM scans
// them, also when the collector deletes them.
func TestDeleteReturning(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		var novels []Novel
		tx := db.Clauses(clause.Returning{}).Where("writer_id = ?", w.ID).Delete(&novels)
		if tx.Error != nil || tx.RowsAffected != 2 {
			t.Fatal(tx.Error, tx.RowsAffected)
		}
		if len(novels) != 2 || novels[0].Title != "w a" || novels[1].Title != "w b" {
			t.Fatalf("returned %+v", novels)
		}
		wantCounts(t, db, "Novel=0 Review=0", &Novel{}, &Review{})
	})
}

// db.Model(&x).Delete(&T{}) deletes x, like GORM; a failed deletion has
// no result.
func TestDeleteModelForm(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		a, b := seedWriter(t, db, "a"), seedWriter(t, db, "b")
		if err := db.Model(&a).Delete(&Writer{}).Error; err != nil {
			t.Fatal(err)
		}
		wantCounts(t, db, "Writer=1 Novel=2", &Writer{}, &Novel{})
		var left Writer
		db.First(&left)
		if left.ID != b.ID {
			t.Fatalf("deleted the wrong writer: %d left", left.ID)
		}
		mustCreate(t, db, &Ignorer{TargetID: mustTarget(t, db)})
		tx := db.Where("id > 0").Delete(&Target{})
		if _, ok := signalsgorm.DeleteResultOf(tx); ok || tx.Error == nil {
			t.Fatal("a failed deletion has a result")
		}
	})
}

func mustTarget(t *testing.T, db *gorm.DB) uint {
	tg := Target{Name: "t"}
	mustCreate(t, db, &tg)
	return tg.ID
}

// GORM's DELETE honours ORDER BY and LIMIT on MySQL only; the collector
// reads the same rows.
func TestDeleteLimit(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		w := seedWriter(t, db, "w")
		recordDeletes(t)
		res, err := signalsgorm.Delete(db.Where("writer_id = ?", w.ID).Order("id desc").Limit(1), &Novel{})
		want := int64(2)
		if dialect == "mariadb" {
			want = 1
		}
		if err != nil || res.PerModel["signalsgorm_test.Novel"] != want {
			t.Fatalf("%+v %v", res, err)
		}
		if want == 1 {
			wantCounts(t, db, "Novel=1 Review=2", &Novel{}, &Review{})
		}
	})
}
