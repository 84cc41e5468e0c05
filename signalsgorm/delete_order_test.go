package signalsgorm_test

import (
	"fmt"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// Django's deletion-order models (tests/delete/models.py): S references R,
// T references S, and RChild is a child of R (multi-table inheritance: its
// primary key is R's). They are registered in Django's definition order.
type OrdR struct{ ID uint }

type OrdS struct {
	ID  uint
	RID uint
	R   OrdR `gorm:"constraint:OnDelete:CASCADE"`
}

type OrdT struct {
	ID  uint
	SID uint
	S   OrdS `gorm:"constraint:OnDelete:CASCADE"`
}

type OrdRChild struct {
	RPtrID uint `gorm:"primaryKey;autoIncrement:false"`
	RPtr   OrdR `gorm:"constraint:OnDelete:CASCADE"`
}

// Between models no dependency orders, the delete signals follow the order
// in which the collector met them, relations taken in the order of the
// models' registration, as Django's Collector keeps insertion order and
// only sorts by dependencies (tests/delete/tests.py,
// DeletionTests.test_deletion_order): RChild, reached after S and T, comes
// between T and S, not first as the relations' names would put it.
func TestDeleteSignalsFollowCollectionOrderBetweenUnorderedModels(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		if err := signalsgorm.AutoMigrate(db, &OrdR{}, &OrdS{}, &OrdT{}, &OrdRChild{}); err != nil {
			t.Fatal(err)
		}
		r := OrdR{ID: 1}
		mustCreate(t, db, &r)
		mustCreate(t, db, &OrdS{ID: 1, RID: 1})
		mustCreate(t, db, &OrdS{ID: 2, RID: 1})
		mustCreate(t, db, &OrdT{ID: 1, SID: 1})
		mustCreate(t, db, &OrdT{ID: 2, SID: 2})
		mustCreate(t, db, &OrdRChild{RPtrID: 1})
		tp := record(t, []*signals.Signal[modelsignals.DeleteEvent]{modelsignals.PreDelete, modelsignals.PostDelete},
			func(signal string, ev modelsignals.DeleteEvent) string {
				switch inst := ev.Instance.(type) {
				case *OrdR:
					return fmt.Sprintf("%s R %d", signal, inst.ID)
				case *OrdS:
					return fmt.Sprintf("%s S %d", signal, inst.ID)
				case *OrdT:
					return fmt.Sprintf("%s T %d", signal, inst.ID)
				case *OrdRChild:
					return fmt.Sprintf("%s RChild %d", signal, inst.RPtrID)
				}
				return fmt.Sprintf("%s %s", signal, ev.Model.Label)
			})
		if err := db.Delete(&r).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t,
			"pre_delete T 1", "pre_delete T 2", "pre_delete RChild 1", "pre_delete S 1", "pre_delete S 2", "pre_delete R 1",
			"post_delete T 2", "post_delete T 1", "post_delete RChild 1", "post_delete S 2", "post_delete S 1", "post_delete R 1")
		wantCounts(t, db, "OrdR=0 OrdS=0 OrdT=0 OrdRChild=0", &OrdR{}, &OrdS{}, &OrdT{}, &OrdRChild{})
	})
}
