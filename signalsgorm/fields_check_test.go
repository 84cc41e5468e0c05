package signalsgorm_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gosignals/signals/signalsgorm"
)

// newStaff creates a staff member with a profile, two accounts, a note and
// a badge.
func newStaff(t *testing.T, db *gorm.DB) Staff {
	t.Helper()
	s := Staff{Name: "Sara", Gender: "F", StaffProfile: &StaffProfile{Name: "Boss", Salary: 3000},
		Accounts: []StaffAccount{{Num: 1}, {Num: 2}}, Notes: []StaffNote{{Text: "hired"}}, Badge: &StaffBadge{Label: "B1"}}
	if err := db.Create(&s).Error; err != nil {
		t.Fatal(err)
	}
	return Staff{ID: s.ID, Name: s.Name, Gender: s.Gender, StaffProfileID: s.StaffProfileID}
}

// An update of one object whose Select or update map names a field it
// cannot write is refused with an error naming the field, before any signal
// and before anything is written (tests/update_only_fields/tests.py,
// UpdateOnlyFieldsTests.test_update_fields_m2m,
// test_update_fields_incorrect_params, test_update_non_concrete_field;
// Django refuses primary keys the same way).
func TestUpdateFieldsThatCannotBeWrittenAreRefused(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect)
		s := newStaff(t, db)
		tp := recordSaves(t)
		cases := []struct {
			name  string
			run   func() *gorm.DB
			field string // as named in the error
		}{
			{"primary key", func() *gorm.DB { return db.Model(&s).Select("ID").Updates(&s) }, "ID (the primary key"},
			{"primary key column", func() *gorm.DB { return db.Select("id", "Name").Save(&s) }, "id (the primary key"},
			{"many2many", func() *gorm.DB { return db.Model(&s).Select("Accounts").Updates(&s) }, `Accounts (a many2many relation: change its links with Association("Accounts"))`},
			{"belongs-to", func() *gorm.DB { return db.Model(&s).Select("StaffProfile").Updates(&s) }, "StaffProfile (a belongs-to relation: select its foreign key StaffProfileID)"},
			{"has-many", func() *gorm.DB { return db.Model(&s).Select("Notes").Updates(&s) }, "Notes (a has-many relation"},
			{"has-one", func() *gorm.DB { return db.Model(&s).Select("Badge").Updates(&s) }, "Badge (a has-one relation"},
			{"not a column", func() *gorm.DB { return db.Model(&s).Select("Nickname").Updates(Staff{Nickname: "S"}) }, `Nickname (not a column (gorm:"-"`},
			{"read-only", func() *gorm.DB { return db.Model(&s).Select("Code").Updates(Staff{Code: "X"}) }, "Code (read-only"},
			{"map key not a column", func() *gorm.DB { return db.Model(&s).Updates(map[string]any{"Name": "Ian", "Nickname": "I"}) }, "Nickname (not a column"},
			{"map key relation", func() *gorm.DB {
				return db.Model(&s).Updates(map[string]any{"Name": "Ian", "Accounts": []StaffAccount{{Num: 3}}})
			}, "Accounts (a many2many"},
			{"among columns", func() *gorm.DB { s.Name = "Ian"; return db.Select("Name", "Accounts", "ID").Save(&s) }, "Accounts (a many2many relation: change its links with Association(\"Accounts\")), ID (the primary key"},
		}
		for _, c := range cases {
			err := c.run().Error
			var ue *signalsgorm.UpdateFieldsError
			if !errors.Is(err, signalsgorm.ErrInvalidUpdateFields) || !errors.As(err, &ue) ||
				ue.Model != "signalsgorm_test.Staff" || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), "nothing was written") {
				t.Fatalf("%s: err = %v", c.name, err)
			}
			tp.check(t) // no signal
		}
		var got Staff
		db.Preload("Accounts").First(&got, s.ID)
		if got.Name != "Sara" || len(got.Accounts) != 2 {
			t.Fatalf("written: %+v", got)
		}
	})
}

// GORM's own ways of writing an object stay as they were: Save, updates
// with a struct or a map, Update, UpdateColumn(s), Select("*"), Omit, a
// foreign key in Select, the Association API (whose statements select
// their relation), and saving related objects with the owner.
func TestGormUpdatePathsStillWork(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openFields(t, dialect)
		s := newStaff(t, db)
		other := StaffProfile{Name: "Receptionist", Salary: 1000}
		db.Create(&other)
		steps := []struct {
			name string
			run  func() error
		}{
			{"Save", func() error { s.Gender = "M"; return db.Save(&s).Error }},
			{"Updates struct", func() error { return db.Model(&s).Updates(Staff{Name: "Ian"}).Error }},
			{"Updates map with its own key", func() error { return db.Model(&s).Updates(map[string]any{"id": s.ID, "name": "Ann"}).Error }},
			{"Update", func() error { return db.Model(&s).Update("gender", "F").Error }},
			{"UpdateColumn", func() error { return db.Model(&s).UpdateColumn("name", "Bo").Error }},
			{"UpdateColumns", func() error { return db.Model(&s).UpdateColumns(map[string]any{"gender": "M"}).Error }},
			{"Select *", func() error { return db.Model(&s).Select("*").Updates(&s).Error }},
			{"Omit", func() error {
				return db.Model(&s).Omit("Gender").Updates(map[string]any{"name": "Cy", "gender": "X"}).Error
			}},
			{"foreign key", func() error {
				s.StaffProfileID = &other.ID
				return db.Model(&s).Select("StaffProfileID").Updates(&s).Error
			}},
			{"associations and a column", func() error { return db.Model(&s).Select(clause.Associations, "Name").Updates(&s).Error }},
			{"Association Append", func() error { return db.Model(&s).Association("Accounts").Append(&StaffAccount{Num: 3}) }},
			{"Association Replace", func() error { return db.Model(&s).Association("StaffProfile").Replace(&other) }},
			{"Association Clear", func() error { return db.Model(&s).Association("Accounts").Clear() }},
			{"Save with related objects", func() error {
				s.Accounts = []StaffAccount{{Num: 9}}
				return db.Save(&s).Error
			}},
		}
		for _, st := range steps {
			if err := st.run(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		var got Staff
		db.Preload("Accounts").First(&got, s.ID)
		if got.Name != "Cy" || got.Gender != "M" || got.StaffProfileID == nil || *got.StaffProfileID != other.ID ||
			len(got.Accounts) != 1 || got.Accounts[0].Num != 9 {
			t.Fatalf("stored %+v", got)
		}
		// Bulk updates are not instance saves: not checked here.
		if err := db.Model(&Staff{}).Where("name = ?", "Cy").Update("gender", "F").Error; err != nil {
			t.Fatal(err)
		}
	})
}
