package signalsgorm_test

import (
	"errors"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm"
)

// Django's RESTRICT models (tests/delete/models.py): an R may belong to a
// P; an A restricts one R and cascades from another; a B3 restricts an R
// too.
type RstP struct{ ID uint }

type RstR struct {
	ID  uint
	PID *uint
	P   *RstP `gorm:"constraint:OnDelete:CASCADE"`
}

type RstA struct {
	ID         uint
	Name       string
	RestrictID *uint
	Restrict   *RstR `gorm:"foreignKey:RestrictID;constraint:OnDelete:RESTRICT"`
	CascadeID  *uint
	Cascade    *RstR `gorm:"foreignKey:CascadeID;constraint:OnDelete:CASCADE"`
}

type RstB3 struct {
	ID         uint
	RestrictID uint
	Restrict   RstR `gorm:"constraint:OnDelete:RESTRICT"`
}

// createA is Django's create_a for the relations used here: an A with a
// restricted R and a cascading R.
func createA(t *testing.T, db *gorm.DB, name string) RstA {
	t.Helper()
	if err := signalsgorm.AutoMigrate(db, &RstP{}, &RstR{}, &RstA{}, &RstB3{}); err != nil {
		t.Fatal(err)
	}
	restrict, cascade := RstR{}, RstR{}
	mustCreate(t, db, &restrict)
	mustCreate(t, db, &cascade)
	a := RstA{Name: name, RestrictID: &restrict.ID, CascadeID: &cascade.ID}
	mustCreate(t, db, &a)
	return a
}

// restricted returns the *RestrictedError of err, failing the test when it
// is not one.
func restricted(t *testing.T, err error) *signalsgorm.RestrictedError {
	t.Helper()
	var re *signalsgorm.RestrictedError
	if !errors.As(err, &re) || !errors.Is(err, signalsgorm.ErrRestricted) {
		t.Fatalf("err %v, want a *RestrictedError", err)
	}
	return re
}

// The error names the restricting relations, with Django's message
// (tests/delete/tests.py, OnDeleteTests.test_restrict and
// test_restrict_multiple), and lists the restricting rows.
func TestRestrictedErrorNamesTheRestrictingRelations(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		a := createA(t, db, "restrict")
		log.reset()
		re := restricted(t, db.Delete(&RstR{ID: *a.RestrictID}).Error)
		want := "signalsgorm: cannot delete some instances of model 'signalsgorm_test.RstR' because they are referenced through restricted foreign keys: 'RstA.Restrict'"
		if re.Error() != want || re.Model != "signalsgorm_test.RstR" || len(re.Objects) != 1 || re.Objects[0].(*RstA).ID != a.ID {
			t.Fatalf("%q %+v", re, re)
		}
		onlyReads(t, log)

		b3 := RstB3{RestrictID: *a.RestrictID}
		mustCreate(t, db, &b3)
		re = restricted(t, db.Delete(&RstR{ID: *a.RestrictID}).Error)
		if !reflect.DeepEqual(re.Relations, []string{"RstA.Restrict", "RstB3.Restrict"}) || len(re.Objects) != 2 ||
			re.Objects[1].(*RstB3).ID != b3.ID {
			t.Fatalf("%q %+v", re, re)
		}
		wantCounts(t, db, "RstR=2 RstA=1 RstB3=1", &RstR{}, &RstA{}, &RstB3{})
	})
}

// A row restricted by a relation reached through a cascade: the error
// names the model deleted and the restricting relation, not the cascade
// that reached it; once the same deletion also cascades to the
// restricting row, it goes (tests/delete/tests.py,
// OnDeleteTests.test_restrict_path_cascade_indirect).
func TestRestrictedErrorNamesTheRelationBehindACascade(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		a := createA(t, db, "restrict")
		p := RstP{}
		mustCreate(t, db, &p)
		if err := db.Model(&RstR{ID: *a.RestrictID}).Update("p_id", p.ID).Error; err != nil {
			t.Fatal(err)
		}
		log.reset()
		re := restricted(t, db.Delete(&p).Error)
		want := "signalsgorm: cannot delete some instances of model 'signalsgorm_test.RstP' because they are referenced through restricted foreign keys: 'RstA.Restrict'"
		if re.Error() != want || !reflect.DeepEqual(re.Relations, []string{"RstA.Restrict"}) || len(re.Objects) != 1 || re.Objects[0].(*RstA).ID != a.ID {
			t.Fatalf("%q %+v", re, re)
		}
		onlyReads(t, log)

		// The object referenced also through a CASCADE relationship can be
		// deleted.
		if err := db.Model(&RstR{ID: *a.CascadeID}).Update("p_id", p.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Delete(&p).Error; err != nil {
			t.Fatal(err)
		}
		wantCounts(t, db, "RstP=0 RstR=0 RstA=0", &RstP{}, &RstR{}, &RstA{})
	})
}

// Django's diamond (tests/delete/models.py): a bottom row restricts its
// B1 and cascades from its B2; both cascade from the top.
type DeleteTop struct{ ID uint }

type B1 struct {
	ID          uint
	DeleteTopID uint
	DeleteTop   DeleteTop `gorm:"constraint:OnDelete:CASCADE"`
}

type B2 struct {
	ID          uint
	DeleteTopID uint
	DeleteTop   DeleteTop `gorm:"constraint:OnDelete:CASCADE"`
}

type DeleteBottom struct {
	ID   uint
	B1ID uint
	B1   B1 `gorm:"constraint:OnDelete:RESTRICT"`
	B2ID uint
	B2   B2 `gorm:"constraint:OnDelete:CASCADE"`
}

// Deleting B1 is refused by the bottom row; deleting the top removes it
// through B2 and so allows it (tests/delete/tests.py,
// OnDeleteTests.test_restrict_path_cascade_indirect_diamond).
func TestRestrictAllowsRowsTheDeletionReachesThroughAnotherPath(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		if err := signalsgorm.AutoMigrate(db, &DeleteTop{}, &B1{}, &B2{}, &DeleteBottom{}); err != nil {
			t.Fatal(err)
		}
		top := DeleteTop{}
		mustCreate(t, db, &top)
		b1, b2 := B1{DeleteTopID: top.ID}, B2{DeleteTopID: top.ID}
		mustCreate(t, db, &b1)
		mustCreate(t, db, &b2)
		mustCreate(t, db, &DeleteBottom{B1ID: b1.ID, B2ID: b2.ID})
		log.reset()
		re := restricted(t, db.Delete(&b1).Error)
		want := "signalsgorm: cannot delete some instances of model 'signalsgorm_test.B1' because they are referenced through restricted foreign keys: 'DeleteBottom.B1'"
		if re.Error() != want {
			t.Fatalf("%q", re)
		}
		onlyReads(t, log)
		wantCounts(t, db, "DeleteTop=1 B1=1 B2=1 DeleteBottom=1", &DeleteTop{}, &B1{}, &B2{}, &DeleteBottom{})
		if err := db.Delete(&top).Error; err != nil {
			t.Fatal(err)
		}
		wantCounts(t, db, "DeleteTop=0 B1=0 B2=0 DeleteBottom=0", &DeleteTop{}, &B1{}, &B2{}, &DeleteBottom{})
	})
}
