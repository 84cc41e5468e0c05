package signalsgorm

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// The decoding steps of the save and update callbacks, without a database.

type decBook struct {
	ID        uint
	Title     string
	Pages     int
	UpdatedAt int64
	Tags      []decTag `gorm:"many2many:dec_book_tags"`
}

func decStmt(t *testing.T, model, dest any, selects, omits []string) *gorm.Statement {
	t.Helper()
	s, err := schema.Parse(&decBook{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	return &gorm.Statement{Schema: s, Model: model, Dest: dest, Selects: selects, Omits: omits,
		Context: context.Background(), ReflectValue: reflect.ValueOf(model).Elem()}
}

func TestUpdateFieldsDecoding(t *testing.T) {
	b := &decBook{ID: 1, Title: "t"}
	for _, tc := range []struct {
		name      string
		create    bool
		dest      any
		selects   []string
		omits     []string
		want      []string
		wantOK    bool
		wantWrite bool
	}{
		{name: "full create", create: true, dest: b, wantOK: true},
		{name: "create with Select", create: true, dest: b, selects: []string{"Title"}, want: []string{"Title"}, wantOK: true},
		{name: "create with Omit", create: true, dest: b, omits: []string{"Pages"}, want: []string{"ID", "Title", "UpdatedAt"}, wantOK: true},
		{name: "Save", dest: b, selects: []string{"*"}, wantOK: true},
		{name: "Updates(struct) of the instance: non-zero fields", dest: b, want: []string{"Title"}, wantOK: true},
		{name: "Updates(other struct)", dest: &decBook{Pages: 3}, want: []string{"Pages"}, wantOK: true, wantWrite: true},
		{name: "Select of a zero field", dest: b, selects: []string{"Pages"}, want: []string{"Pages"}, wantOK: true},
		{name: "Updates(map)", dest: map[string]any{"pages": 4, "Title": "x"}, want: []string{"Pages", "Title"}, wantOK: true, wantWrite: true},
		{name: "Updates(&map)", dest: &map[string]any{"pages": 4}, want: []string{"Pages"}, wantOK: true, wantWrite: true},
		{name: "a relation only", dest: b, selects: []string{"Tags"}, wantOK: false},
		{name: "nothing", dest: map[string]any{}, wantOK: false},
	} {
		stmt := decStmt(t, b, tc.dest, tc.selects, tc.omits)
		fields, write, ok := updateFields(stmt, tc.create)
		if ok != tc.wantOK || !reflect.DeepEqual(fields, tc.want) || (write != nil) != tc.wantWrite {
			t.Errorf("%s: fields %v write %v ok %v; want %v write %v ok %v", tc.name, fields, write != nil, ok, tc.want, tc.wantWrite, tc.wantOK)
		}
	}
}

func TestUpdateValues(t *testing.T) {
	b := &decBook{ID: 1, Title: "t", Pages: 5}
	stmt := decStmt(t, b, b, nil, nil)
	if got := updateValues(stmt, []string{"Pages", "Title"}, nil); !reflect.DeepEqual(got, map[string]any{"Pages": 5, "Title": "t"}) {
		t.Errorf("values of the instance: %v", got)
	}
	stmt = decStmt(t, b, map[string]any{"pages": 9}, nil, nil)
	fields, write, _ := updateFields(stmt, false)
	if got := updateValues(stmt, fields, write); !reflect.DeepEqual(got, map[string]any{"Pages": 9}) {
		t.Errorf("values of a map: %v", got)
	}
}
