package signalsgorm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// DeleteRule overrides a relation's mode; Initialize rejects unknown
// relations; two declarations of one foreign key must agree.
func TestDeleteRule(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect, signalsgorm.DeleteRule(&Cascader{}, "Target", signalsgorm.Protect))
		tg := Target{Name: "t"}
		mustCreate(t, db, &tg)
		mustCreate(t, db, &Cascader{TargetID: tg.ID})
		if err := db.Delete(&tg).Error; !errors.Is(err, signalsgorm.ErrProtected) {
			t.Fatalf("err %v", err)
		}

		// DB_CASCADE (tests/delete/tests.py, DeletionTests.test_db_cascade): DoNothing next to an ON DELETE CASCADE
		// constraint; the database removes the rows, without signals, and
		// they are not counted.
		db, _ = openDelete(t, dialect, signalsgorm.DeleteRule(&Cascader{}, "Target", signalsgorm.DoNothing))
		mustCreate(t, db, &tg)
		mustCreate(t, db, &Cascader{TargetID: tg.ID})
		tp := recordDeletes(t)
		res, err := signalsgorm.Delete(db, &tg)
		if err != nil || res.Total != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Target id=1", "post_delete signalsgorm_test.Target id=1")
		wantCounts(t, db, "Target=0 Cascader=0", &Target{}, &Cascader{})
	})
	for _, opt := range []signalsgorm.Option{
		signalsgorm.DeleteRule(&Cascader{}, "Nope", signalsgorm.Cascade),
		signalsgorm.DeleteRule(&Cascader{}, "Target", signalsgorm.OnDelete(0)),
		signalsgorm.DeleteRule(42, "Target", signalsgorm.Cascade),
		signalsgorm.MaxQueryParams(1),
	} {
		if err := dbtest.Open(t, "sqlite").Use(signalsgorm.New(opt)); err == nil || !strings.HasPrefix(err.Error(), "signalsgorm: ") {
			t.Fatalf("Use: %v", err)
		}
	}
}

type Conflicted struct {
	ID    uint
	Parts []ConflictPart `gorm:"constraint:OnDelete:CASCADE"`
}

type ConflictPart struct {
	ID           uint
	ConflictedID uint
	Conflicted   Conflicted `gorm:"constraint:OnDelete:SET NULL"`
}

func TestDeleteConflictingModes(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	if err := db.Use(signalsgorm.New()); err != nil {
		t.Fatal(err)
	}
	if err := db.AutoMigrate(&Conflicted{}, &ConflictPart{}); err != nil {
		t.Fatal(err)
	}
	err := db.Delete(&Conflicted{ID: 1}).Error
	if err == nil || !strings.Contains(err.Error(), "Conflicted.Parts is CASCADE (constraint) but ConflictPart.Conflicted says SET_NULL") &&
		!strings.Contains(err.Error(), "ConflictPart.Conflicted is SET_NULL (constraint) but Conflicted.Parts says CASCADE") {
		t.Fatalf("err %v", err)
	}
}

type BadTag struct {
	ID    uint
	Parts []BadTagPart `signals:"on_delete:EXPLODE"`
}

type BadTagPart struct {
	ID       uint
	BadTagID uint
}

func TestDeleteBadTag(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	if err := db.Use(signalsgorm.New()); err != nil {
		t.Fatal(err)
	}
	if err := db.AutoMigrate(&BadTag{}, &BadTagPart{}); err != nil {
		t.Fatal(err)
	}
	err := db.Delete(&BadTag{ID: 1}).Error
	if err == nil || err.Error() != `signalsgorm: BadTag.Parts: unknown on_delete mode "EXPLODE" in tag signals:"on_delete:EXPLODE"` {
		t.Fatalf("err %v", err)
	}
	if _, err := signalsgorm.From(db).DeletePlan(&BadTag{}); err == nil {
		t.Fatal("a plan with an invalid tag")
	}
}
