package signalsgorm_test

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"gorm.io/gorm"
)

// Cabinet has a string primary key, Folder an integer key whose Valuer stores
// it as text: their keys go to the statements as bind parameters, not as
// the integer lists written into the SQL (or, on PostgreSQL, an array).
type Cabinet struct {
	Code  string   `gorm:"primaryKey;size:16"`
	Items []Drawer `gorm:"constraint:OnDelete:CASCADE"`
}

type Drawer struct {
	ID          uint
	CabinetCode string   `gorm:"size:16"`
	Bins        []Folder `gorm:"constraint:OnDelete:CASCADE"`
}

type folderKey int64

func (k folderKey) Value() (driver.Value, error) { return "b" + strconv.FormatInt(int64(k), 10), nil }

func (k *folderKey) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("folderKey: %T", v)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "b"), 10, 64)
	*k = folderKey(n)
	return err
}

type Folder struct {
	Key      folderKey `gorm:"primaryKey;type:varchar(20)"`
	DrawerID uint
}

// A cascade through string keys and Valuer keys deletes exactly the rows
// it collects, with their signals, on every database.
func TestDeleteCascadeKeyTypes(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		if err := db.AutoMigrate(&Cabinet{}, &Drawer{}, &Folder{}); err != nil {
			t.Fatal(err)
		}
		for k, code := range []string{"a", "b"} {
			s := Cabinet{Code: code}
			for i := range 3 {
				it := Drawer{}
				for j := range 2 {
					it.Bins = append(it.Bins, Folder{Key: folderKey((k+1)*100 + i*2 + j)})
				}
				s.Items = append(s.Items, it)
			}
			if err := db.Create(&s).Error; err != nil {
				t.Fatal(err)
			}
		}
		var folders int
		h := modelsignals.OnPreDelete(func(context.Context, modelsignals.Delete[Folder]) error { folders++; return nil })
		defer h.Disconnect()
		log.reset()
		if err := db.Delete(&Cabinet{Code: "a"}).Error; err != nil {
			t.Fatal(err)
		}
		if folders != 6 {
			t.Fatalf("pre_delete for %d folders, want 6", folders)
		}
		for _, c := range []struct {
			model any
			want  int64
		}{{&Cabinet{}, 1}, {&Drawer{}, 3}, {&Folder{}, 6}} {
			var n int64
			if err := db.Model(c.model).Count(&n).Error; err != nil || n != c.want {
				t.Fatalf("%T left: %d, want %d (%v)", c.model, n, c.want, err)
			}
		}
		var left []Folder
		if err := db.Order("drawer_id").Find(&left).Error; err != nil || len(left) != 6 || left[0].Key < 200 {
			t.Fatalf("folders left %+v %v", left, err)
		}
		for _, s := range log.take() {
			s = strings.NewReplacer("`", "", `"`, "").Replace(s)
			// (Written into the SQL on MySQL or SQLite, the Valuer keys
			// would match no row, which the counts above would show.)
			if strings.Contains(s, "ANY(") {
				t.Errorf("%q: want the keys that are no plain integers as bind parameters", s)
			}
		}
	})
}

// Under GORM's prepared statements, which keep every statement text they
// meet, deletions of the same shape reuse their statements: the keys are
// not written into the SQL.
func TestDeletePreparedStatementsReused(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		cfg := dbtest.Config()
		cfg.PrepareStmt = true
		db := dbtest.OpenConfig(t, dialect, cfg, dbtest.Use(signalsgorm.New()))
		if err := signalsgorm.AutoMigrate(db, deleteModels...); err != nil {
			t.Fatal(err)
		}
		h := modelsignals.OnPreDelete(func(context.Context, modelsignals.Delete[Review]) error { return nil })
		defer h.Disconnect()
		ps, ok := db.ConnPool.(*gorm.PreparedStmtDB)
		if !ok {
			t.Fatalf("ConnPool %T, want GORM's prepared statements", db.ConnPool)
		}
		var cached []int
		for i := range 3 {
			w := seedWriter(t, db, fmt.Sprint("p", i))
			if err := db.Delete(&w).Error; err != nil {
				t.Fatal(err)
			}
			cached = append(cached, len(ps.Stmts.Keys()))
		}
		if cached[1] != cached[0] || cached[2] != cached[0] {
			t.Fatalf("prepared statements after each deletion: %v, want as many after each", cached)
		}
	})
}
