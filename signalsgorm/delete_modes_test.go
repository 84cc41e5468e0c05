package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// onlyReads fails unless every statement logged is a SELECT.
func onlyReads(t *testing.T, log *stmtLog) {
	t.Helper()
	for _, s := range log.take() {
		if !strings.HasPrefix(s, "SELECT") {
			t.Fatalf("a refused deletion wrote: %s", s)
		}
	}
}

// CASCADE (tests/delete/tests.py, OnDeleteTests.test_cascade) through a belongs-to back reference the target does not
// declare; the cascaded rows get their signals.
func TestDeleteCascade(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		tg := Target{Name: "t"}
		mustCreate(t, db, &tg)
		mustCreate(t, db, &[]Cascader{{TargetID: tg.ID}, {TargetID: tg.ID}})
		tp := recordDeletes(t)
		res, err := signalsgorm.Delete(db, &tg)
		if err != nil || res.Total != 3 || res.PerModel["signalsgorm_test.Cascader"] != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Cascader id=1", "pre_delete signalsgorm_test.Cascader id=2", "pre_delete signalsgorm_test.Target id=1",
			"post_delete signalsgorm_test.Cascader id=2", "post_delete signalsgorm_test.Cascader id=1", "post_delete signalsgorm_test.Target id=1")
		wantCounts(t, db, "Target=0 Cascader=0", &Target{}, &Cascader{})
	})
}

// PROTECT (tests/delete/tests.py, OnDeleteTests.test_protect and
// test_protect_path) refuses during collection, before any signal or
// write, naming the relations and listing the protecting rows, also when
// the protected rows are reached through a cascade.
func TestDeleteProtect(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		tg := Target{Name: "t"}
		mustCreate(t, db, &tg)
		mustCreate(t, db, &[]Protector{{TargetID: tg.ID}, {TargetID: tg.ID}})
		mustCreate(t, db, &Cascader{TargetID: tg.ID})
		tp := recordDeletes(t)
		log.reset()
		err := db.Delete(&tg).Error
		var pe *signalsgorm.ProtectedError
		if !errors.As(err, &pe) || !errors.Is(err, signalsgorm.ErrProtected) {
			t.Fatalf("err %v", err)
		}
		if pe.Model != "signalsgorm_test.Target" || !reflect.DeepEqual(pe.Relations, []string{"Protector.Target"}) || len(pe.Objects) != 2 {
			t.Fatalf("%+v", pe)
		}
		if p, ok := pe.Objects[0].(*Protector); !ok || p.TargetID != tg.ID {
			t.Fatalf("object %#v", pe.Objects[0])
		}
		want := "signalsgorm: cannot delete some instances of model 'signalsgorm_test.Target' because they are referenced through protected foreign keys: 'Protector.Target'"
		if err.Error() != want {
			t.Fatalf("message %q", err)
		}
		tp.check(t)
		onlyReads(t, log)
		wantCounts(t, db, "Target=1 Protector=2 Cascader=1", &Target{}, &Protector{}, &Cascader{})

		// Through a cascade: the error names the shelf and the cascading
		// relation, and lists the innermost protecting row.
		sh := Shelf{Label: "s"}
		mustCreate(t, db, &sh)
		it := Item{ShelfID: sh.ID}
		mustCreate(t, db, &it)
		loan := Loan{ItemID: it.ID}
		mustCreate(t, db, &loan)
		log.reset()
		err = db.Delete(&sh).Error
		if !errors.As(err, &pe) || pe.Model != "signalsgorm_test.Shelf" || !reflect.DeepEqual(pe.Relations, []string{"Item.Shelf"}) ||
			len(pe.Objects) != 1 || pe.Objects[0].(*Loan).ID != loan.ID {
			t.Fatalf("err %v %+v", err, pe)
		}
		tp.check(t)
		onlyReads(t, log)
		wantCounts(t, db, "Shelf=1 Item=1 Loan=1", &Shelf{}, &Item{}, &Loan{})

		// Without the loan, the shelf goes with its item.
		if err := db.Delete(&loan).Error; err != nil {
			t.Fatal(err)
		}
		tp.take()
		if err := db.Delete(&sh).Error; err != nil {
			t.Fatal(err)
		}
		wantCounts(t, db, "Shelf=0 Item=0", &Shelf{}, &Item{})
	})
}

// RESTRICT (tests/delete/tests.py, OnDeleteTests.test_restrict and
// test_restrict_path_cascade_indirect) refuses unless the restricted rows are deleted through a
// cascade of the same deletion, and then they are deleted first.
func TestDeleteRestrict(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		tg := Target{Name: "t"}
		mustCreate(t, db, &tg)
		mustCreate(t, db, &Restricter{TargetID: tg.ID})
		tp := recordDeletes(t)
		log.reset()
		err := db.Delete(&tg).Error
		var re *signalsgorm.RestrictedError
		if !errors.As(err, &re) || !errors.Is(err, signalsgorm.ErrRestricted) || re.Model != "signalsgorm_test.Target" ||
			!reflect.DeepEqual(re.Relations, []string{"Restricter.Target"}) || len(re.Objects) != 1 {
			t.Fatalf("err %v %+v", err, re)
		}
		tp.check(t)
		onlyReads(t, log)

		// test_restrict_path_cascade_direct: the booking restricts its
		// room, but the place cascades to both.
		pl := Place{Name: "p"}
		mustCreate(t, db, &pl)
		room := Room{PlaceID: pl.ID}
		mustCreate(t, db, &room)
		mustCreate(t, db, &Booking{RoomID: room.ID, PlaceID: &pl.ID})
		if err := db.Delete(&room).Error; !errors.As(err, &re) || !reflect.DeepEqual(re.Relations, []string{"Booking.Room"}) {
			t.Fatalf("deleting the room: %v", err)
		}
		tp.check(t)
		if err := db.Delete(&pl).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Booking id=1", "pre_delete signalsgorm_test.Room id=1", "pre_delete signalsgorm_test.Place id=1",
			"post_delete signalsgorm_test.Booking id=1", "post_delete signalsgorm_test.Room id=1", "post_delete signalsgorm_test.Place id=1")
		wantCounts(t, db, "Place=0 Room=0 Booking=0", &Place{}, &Room{}, &Booking{})

		// test_restrict_path_cascade_indirect, refused: this booking does
		// not belong to the place deleted. The error names the
		// restricting relation, not the cascade that reached it.
		pl2, pl3 := Place{Name: "p2"}, Place{Name: "p3"}
		mustCreate(t, db, &pl2)
		mustCreate(t, db, &pl3)
		room2 := Room{PlaceID: pl2.ID}
		mustCreate(t, db, &room2)
		b := Booking{RoomID: room2.ID, PlaceID: &pl3.ID}
		mustCreate(t, db, &b)
		log.reset()
		err = db.Delete(&pl2).Error
		if !errors.As(err, &re) || re.Model != "signalsgorm_test.Place" || !reflect.DeepEqual(re.Relations, []string{"Booking.Room"}) ||
			len(re.Objects) != 1 || re.Objects[0].(*Booking).ID != b.ID {
			t.Fatalf("err %v %+v", err, re)
		}
		tp.check(t)
		onlyReads(t, log)
		wantCounts(t, db, "Place=2 Room=1 Booking=1", &Place{}, &Room{}, &Booking{})
	})
}

// SET_NULL and SET_DEFAULT (tests/delete/tests.py, OnDeleteTests.test_setnull
// and test_setdefault) are UPDATEs: the referencing rows stay,
// get no delete and no save signal, and instances in memory keep their
// values.
func TestDeleteSetNullSetDefault(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		fallback, tg := Target{Name: "default"}, Target{Name: "t"}
		mustCreate(t, db, &fallback) // ID 1, the default
		mustCreate(t, db, &tg)
		nl := Nuller{TargetID: &tg.ID}
		mustCreate(t, db, &nl)
		df := Defaulter{TargetID: &tg.ID}
		mustCreate(t, db, &df)
		saves := recordSaves(t)
		tp := recordDeletes(t)
		var updates []string
		connect(t, modelsignals.PostUpdate, func(_ context.Context, ev modelsignals.UpdateEvent) error {
			updates = append(updates, fmt.Sprintf("%s %v %v", ev.Model.Label, ev.PKs, ev.RowsAffected))
			return nil
		})
		res, err := signalsgorm.Delete(db, &tg)
		if err != nil || res.Total != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Target id=2", "post_delete signalsgorm_test.Target id=2")
		saves.check(t)
		// Like any UPDATE that does not go through objects, they send
		// post_update, in the order the models were registered.
		if got := strings.Join(updates, ", "); got != "signalsgorm_test.Nuller [1] 1, signalsgorm_test.Defaulter [1] 1" {
			t.Fatalf("post_update: %s", got)
		}
		var gotN Nuller
		var gotD Defaulter
		db.First(&gotN, nl.ID)
		db.First(&gotD, df.ID)
		if gotN.TargetID != nil || gotD.TargetID == nil || *gotD.TargetID != fallback.ID {
			t.Fatalf("nuller %v, defaulter %v", gotN.TargetID, gotD.TargetID)
		}
		if *nl.TargetID != tg.ID || *df.TargetID != tg.ID {
			t.Fatal("instances in memory were changed")
		}
	})
}

// DO_NOTHING (tests/delete/tests.py, OnDeleteTests.test_do_nothing) leaves the rows to the database, which refuses (and
// everything rolls back); a pre_delete receiver may fix them first, in the
// same transaction.
func TestDeleteDoNothing(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		tg := Target{Name: "t"}
		mustCreate(t, db, &tg)
		mustCreate(t, db, &Ignorer{TargetID: tg.ID})
		tp := recordDeletes(t)
		if err := db.Delete(&tg).Error; err == nil {
			t.Fatal("the database accepted a dangling reference")
		}
		wantCounts(t, db, "Target=1 Ignorer=1", &Target{}, &Ignorer{})
		tp.take()

		h := modelsignals.OnPreDelete(func(ctx context.Context, ev modelsignals.Delete[Target]) error {
			return signalsgorm.DB(ctx, db).Where("target_id = ?", ev.Instance.ID).Delete(&Ignorer{}).Error
		})
		defer h.Disconnect()
		if err := db.Delete(&tg).Error; err != nil {
			t.Fatal(err)
		}
		wantCounts(t, db, "Target=0 Ignorer=0", &Target{}, &Ignorer{})
		tp.check(t, "pre_delete signalsgorm_test.Target id=1", "pre_delete signalsgorm_test.Ignorer id=1",
			"post_delete signalsgorm_test.Ignorer id=1", "post_delete signalsgorm_test.Target id=1")
	})
}
