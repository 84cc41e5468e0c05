package signalsgorm_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// Django's combined fast-delete models (tests/delete/models.py): a
// SecondReferrer references a Referrer twice, by its key and by its unique
// field.
type Origin struct{ ID uint }

type Referrer struct {
	ID          uint
	OriginID    uint
	Origin      Origin `gorm:"constraint:OnDelete:CASCADE"`
	UniqueField int    `gorm:"unique"`
	LargeField  string
}

type SecondReferrer struct {
	ID              uint
	ReferrerID      uint
	Referrer        Referrer `gorm:"constraint:OnDelete:CASCADE"`
	OtherReferrerID int
	OtherReferrer   Referrer `gorm:"foreignKey:OtherReferrerID;references:UniqueField;constraint:OnDelete:CASCADE"`
}

// seedReferrers creates an origin with a referrer (unique field 42) and
// three second referrers: one by each relation, and one of another
// referrer; it returns the referrer.
func seedReferrers(t *testing.T, db *gorm.DB) Referrer {
	t.Helper()
	if err := signalsgorm.AutoMigrate(db, &Origin{}, &Referrer{}, &SecondReferrer{}); err != nil {
		t.Fatal(err)
	}
	o := Origin{}
	mustCreate(t, db, &o)
	ref := Referrer{OriginID: o.ID, UniqueField: 42}
	other := Referrer{OriginID: o.ID, UniqueField: 7}
	mustCreate(t, db, &ref)
	mustCreate(t, db, &other)
	mustCreate(t, db, &SecondReferrer{ReferrerID: ref.ID, OtherReferrerID: other.UniqueField})
	mustCreate(t, db, &SecondReferrer{ReferrerID: other.ID, OtherReferrerID: ref.UniqueField})
	mustCreate(t, db, &SecondReferrer{ReferrerID: other.ID, OtherReferrerID: other.UniqueField})
	return ref
}

// Without receivers, the rows of a model referencing the deleted rows
// through several relations are deleted with one statement, the relations
// joined with OR, and the relation referencing another column than the
// key reads it with a subquery: deleting a referrer takes two statements
// (tests/delete/tests.py,
// FastDeleteTests.test_fast_delete_combined_relationships).
func TestDeleteCombinesRelationsToOneModelInOneStatement(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		ref := seedReferrers(t, db)
		log.reset()
		res, err := signalsgorm.Delete(db, &ref)
		if err != nil {
			t.Fatal(err)
		}
		stmts := log.take()
		if len(stmts) != 2 || !strings.HasPrefix(stmts[0], "DELETE") || !strings.Contains(stmts[0], " OR ") ||
			!strings.Contains(stmts[0], "unique_field") || !strings.HasPrefix(stmts[1], "DELETE") {
			t.Fatalf("%d statements:\n%s", len(stmts), strings.Join(stmts, "\n"))
		}
		if res.Total != 3 || res.PerModel["signalsgorm_test.SecondReferrer"] != 2 || res.PerModel["signalsgorm_test.Referrer"] != 1 {
			t.Fatalf("%+v", res)
		}
		wantCounts(t, db, "Origin=1 Referrer=1 SecondReferrer=1", &Origin{}, &Referrer{}, &SecondReferrer{})
	})
}

// Below a model deleted by condition, the relations to one model are
// combined the same way, with subqueries: deleting the origin takes one
// statement per model.
func TestDeleteCombinesRelationsBelowACascadeByCondition(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		ref := seedReferrers(t, db)
		log.reset()
		res, err := signalsgorm.Delete(db, &Origin{ID: ref.OriginID})
		if err != nil {
			t.Fatal(err)
		}
		got := kinds(log.take())
		want := map[string]int{"DELETE second_referrers": 1, "DELETE referrers": 1, "DELETE origins": 1}
		if !equalCounts(got, want) {
			t.Fatalf("statements %v, want %v", got, want)
		}
		if res.Total != 6 {
			t.Fatalf("%+v", res)
		}
		wantCounts(t, db, "Origin=0 Referrer=0 SecondReferrer=0", &Origin{}, &Referrer{}, &SecondReferrer{})
	})
}

// The combined condition is cut to the parameter limit like any other
// (tests/delete/tests.py, DeletionTests.test_large_delete_related); a
// model with receivers is read relation by relation, as Django reads it,
// and each row gets its signals once.
func TestDeleteCombinedRelationsChunkedAndReadWithReceivers(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect, signalsgorm.MaxQueryParams(64+10))
		seedReferrers(t, db)
		var origin Origin
		if err := db.First(&origin).Error; err != nil {
			t.Fatal(err)
		}
		// 12 more referrers: 14 keys and 14 unique values in all. A
		// statement takes 10 parameters: 5 referrers' values for the
		// second referrers, 10 keys for the referrers.
		for i := range 12 {
			r := Referrer{OriginID: origin.ID, UniqueField: 100 + i}
			mustCreate(t, db, &r)
			mustCreate(t, db, &SecondReferrer{ReferrerID: r.ID, OtherReferrerID: r.UniqueField})
		}
		// Receivers on the referrers: their rows are read, and the second
		// referrers are deleted from the rows' values.
		var pre int
		h := modelsignals.OnPreDelete(func(context.Context, modelsignals.Delete[Referrer]) error { pre++; return nil })
		t.Cleanup(func() { h.Disconnect() })
		log.reset()
		res, err := signalsgorm.Delete(db, &origin)
		if err != nil {
			t.Fatal(err)
		}
		got := kinds(log.take())
		want := map[string]int{"SELECT referrers": 1, "DELETE second_referrers": 3, "DELETE referrers": 2, "DELETE origins": 1}
		if dialect == "sqlite" { // by the condition the referrers were read with
			want["DELETE referrers"] = 1
		}
		if !equalCounts(got, want) {
			t.Fatalf("statements %v, want %v", got, want)
		}
		if pre != 14 || res.Total != 1+14+15 {
			t.Fatalf("%d pre_delete, %+v", pre, res)
		}
		h.Disconnect()

		// With receivers on the second referrers, they are read per
		// relation and each gets one pre_delete.
		ref := seedReferrers(t, db)
		seen := map[uint]int{}
		h2 := modelsignals.OnPreDelete(func(_ context.Context, ev modelsignals.Delete[SecondReferrer]) error {
			seen[ev.Instance.ID]++
			return nil
		})
		t.Cleanup(func() { h2.Disconnect() })
		if _, err := signalsgorm.Delete(db, &ref); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 2 {
			t.Fatalf("pre_delete of second referrers: %v", seen)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("second referrer %d: %d pre_delete", id, n)
			}
		}
		wantCounts(t, db, "Origin=1 Referrer=1 SecondReferrer=1", &Origin{}, &Referrer{}, &SecondReferrer{})
	})
}
