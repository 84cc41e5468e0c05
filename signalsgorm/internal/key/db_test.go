package key_test

import (
	"context"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"reflect"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// uuid is stored as its text, as github.com/google/uuid.UUID is.
type uuid [16]byte

func (u uuid) String() string { return hex.EncodeToString(u[:]) }

func (u uuid) Value() (driver.Value, error) { return u.String(), nil }

func (u *uuid) Scan(src any) error {
	var s string
	switch x := src.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return fmt.Errorf("uuid: cannot scan %T", src)
	}
	_, err := hex.Decode(u[:], []byte(s))
	return err
}

type IntKey struct {
	ID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Name string
}

type SmallKey struct {
	ID   uint16 `gorm:"primaryKey;autoIncrement:false"`
	Name string
}

type StringKey struct {
	Code string `gorm:"primaryKey;size:40"`
	Name string
}

type UUIDKey struct {
	ID   uuid `gorm:"primaryKey;type:varchar(36)"`
	Name string
}

type CompositeKey struct {
	Shop int32  `gorm:"primaryKey;autoIncrement:false"`
	SKU  string `gorm:"primaryKey;size:40"`
	Name string
}

// Keys read back from each database, into the model's fields or into
// whatever the driver returns, equal the keys of the Go values the user
// set.
func TestKeysReadBackFromTheDatabase(t *testing.T) {
	u := uuid{0x12, 0x34, 0xab, 0xcd}
	rows := []any{
		&IntKey{ID: 1 << 40, Name: "int"},
		&SmallKey{ID: 7, Name: "small"},
		&StringKey{Code: "b-42", Name: "string"},
		&StringKey{Code: "42", Name: "digits"},
		&UUIDKey{ID: u, Name: "uuid"},
		&CompositeKey{Shop: 3, SKU: "x;1", Name: "composite"},
	}
	for _, d := range dbtest.Dialects {
		t.Run(d, func(t *testing.T) {
			db := dbtest.Open(t, d)
			for _, r := range rows {
				if err := db.AutoMigrate(r); err != nil {
					t.Fatal(err)
				}
				if err := db.Create(r).Error; err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range rows {
				checkReadBack(t, db, r)
			}
		})
	}
}

func checkReadBack(t *testing.T, db *gorm.DB, r any) {
	t.Helper()
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(r); err != nil {
		t.Fatal(err)
	}
	s := stmt.Schema
	ctx := context.Background()
	vals := key.Values(ctx, s.PrimaryFields, reflect.ValueOf(r))
	want := key.New(vals)

	// Into the model's own fields.
	got := reflect.New(s.ModelType)
	if err := db.Where(pkWhere(s), vals...).Take(got.Interface()).Error; err != nil {
		t.Fatalf("%s: %v", s.Name, err)
	}
	if k := key.Of(ctx, s.PrimaryFields, got); k != want {
		t.Errorf("%s: key read into the model %v, want %v", s.Name, k, want)
	}

	// Into whatever the driver returns (int64, []byte, string...).
	cols := make([]string, len(s.PrimaryFields))
	for i, f := range s.PrimaryFields {
		cols[i] = f.DBName
	}
	rs, err := db.Table(s.Table).Select(cols).Where(pkWhere(s), vals...).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if !rs.Next() {
		t.Fatalf("%s: no row", s.Name)
	}
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := rs.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	if k := key.New(raw); k != want {
		t.Errorf("%s: key of the driver's values %#v is %v, want %v", s.Name, raw, k, want)
	}
}

func pkWhere(s *schema.Schema) string {
	w := ""
	for i, f := range s.PrimaryFields {
		if i > 0 {
			w += " AND "
		}
		w += f.DBName + " = ?"
	}
	return w
}
