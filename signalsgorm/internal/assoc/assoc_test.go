package assoc

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// Post and Tag declare their relation on both sides: Post.Tags is the
// forward side, its join column's stem beginning the table's name.
type Post struct {
	ID   uint
	Tags []Tag `gorm:"many2many:post_tags"`
}

type Tag struct {
	ID    uint
	Posts []Post `gorm:"many2many:post_tags"`
}

// Team and Player: neither column stem begins "rosters", so the label
// order decides unless a side is marked reverse.
type Team struct {
	ID      uint
	Players []Player `gorm:"many2many:rosters"`
}

type Player struct {
	ID    uint
	Teams []Team `gorm:"many2many:rosters"`
}

// Box has a relation declared on one side only.
type Box struct {
	ID    uint
	Items []Item `gorm:"many2many:box_items"`
}

type Item struct{ ID uint }

func parse(t *testing.T, model any) *schema.Schema {
	t.Helper()
	s, err := schema.Parse(model, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpString(t *testing.T) {
	for op, want := range map[Op]string{None: "none", Append: "Append", Replace: "Replace", Delete: "Delete", Clear: "Clear", 9: "Op(?)"} {
		if got := op.String(); got != want {
			t.Errorf("Op(%d).String() = %q, want %q", op, got, want)
		}
	}
}

func TestFrameOp(t *testing.T) {
	for _, tc := range []struct {
		function string
		want     Op
	}{
		{"gorm.io/gorm.(*Association).Append", Append},
		{"gorm.io/gorm.(*Association).Replace", Replace},
		{"gorm.io/gorm.(*Association).Delete", Delete},
		{"gorm.io/gorm.(*Association).Clear", Clear},
		{"gorm.io/gorm.(*Association).Count", None},
		{"gorm.io/gorm.(*DB).Delete", None},
	} {
		if got := frameOp(tc.function); got != tc.want {
			t.Errorf("frameOp(%q) = %v, want %v", tc.function, got, tc.want)
		}
	}
}

func TestCallerOutsideAssociation(t *testing.T) {
	if op := Caller(); op != None {
		t.Errorf("Caller() = %v, want none", op)
	}
}

func TestSidesAndColumns(t *testing.T) {
	rel := parse(t, &Post{}).Relationships.Relations["Tags"]
	s := SidesOf(rel)
	if len(s.Own) != 1 || len(s.Other) != 1 || len(s.Fixed) != 0 {
		t.Fatalf("SidesOf(Post.Tags) = %d own, %d other, %d fixed; want 1, 1, 0", len(s.Own), len(s.Other), len(s.Fixed))
	}
	if got, want := ColumnsOf(rel), (Columns{Own: "post_id", Other: "tag_id"}); got != want {
		t.Errorf("ColumnsOf(Post.Tags) = %+v, want %+v", got, want)
	}
}

func TestPartnerAndForward(t *testing.T) {
	never := func(*schema.Relationship) bool { return false }
	tags := parse(t, &Post{}).Relationships.Relations["Tags"]
	posts := Partner(tags)
	if posts == nil || posts.Name != "Posts" || Partner(posts) != tags {
		t.Fatalf("Partner(Post.Tags) = %v, want Tag.Posts and back", posts)
	}
	if Forward(posts, tags, never) != tags {
		t.Error("Forward: the side whose column stem begins the table's name is not forward")
	}
	players := parse(t, &Team{}).Relationships.Relations["Players"]
	teams := Partner(players)
	if Forward(players, teams, never) != teams {
		t.Errorf("Forward by label: got Team.Players, want Player.Teams (%q sorts before %q)", Name(teams), Name(players))
	}
	isPlayers := func(r *schema.Relationship) bool { return r == teams }
	if Forward(players, teams, isPlayers) != players {
		t.Error("Forward: a side marked reverse is still forward")
	}
	if p := Partner(parse(t, &Box{}).Relationships.Relations["Items"]); p != nil {
		t.Errorf("Partner(Box.Items) = %s, want nil", p.Name)
	}
}

func TestThroughAndGenerated(t *testing.T) {
	tags := parse(t, &Post{}).Relationships.Relations["Tags"]
	if !Generated(tags.JoinTable.ModelType) || Generated(reflect.TypeOf(Post{})) {
		t.Error("Generated does not tell GORM's join struct from a model")
	}
	got := Through(tags.JoinTable)
	if len(got) != 1 || got[0] != tags {
		t.Errorf("Through(post_tags) = %v, want [Post.Tags]", got)
	}
	if got := Through(parse(t, &Item{})); got != nil {
		t.Errorf("Through(items) = %v, want nil", got)
	}
}

func TestIns(t *testing.T) {
	where := clause.Where{Exprs: []clause.Expression{
		clause.IN{Column: clause.Column{Name: "post_id"}, Values: []any{1, 2}},
		clause.NotConditions{Exprs: []clause.Expression{
			clause.IN{Column: []clause.Column{{Name: "a_id"}, {Name: "b_id"}}, Values: []any{[]any{3, 4}}},
		}},
		clause.AndConditions{Exprs: []clause.Expression{clause.IN{Column: "tag_id", Values: []any{5}}}},
		clause.Eq{Column: "x", Value: 1},
	}}
	got := Ins(where)
	want := []In{
		{Columns: "post_id", Values: []any{1, 2}},
		{Columns: "a_id,b_id", Values: []any{[]any{3, 4}}, Negated: true},
		{Columns: "tag_id", Values: []any{5}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Ins = %+v, want %+v", got, want)
	}
	if tuples := got[1].Tuples(); !reflect.DeepEqual(tuples, [][]any{{3, 4}}) {
		t.Errorf("Tuples of a composite IN = %v", tuples)
	}
	if tuples := got[0].Tuples(); !reflect.DeepEqual(tuples, [][]any{{1}, {2}}) {
		t.Errorf("Tuples of a one-column IN = %v", tuples)
	}
}

func TestTupleConverts(t *testing.T) {
	type join struct {
		PostID int
		TagID  int
	}
	type model struct{ ID uint }
	ms, js := parse(t, &model{}), parse(t, &join{})
	ref := &schema.Reference{PrimaryKey: ms.LookUpField("ID"), ForeignKey: js.LookUpField("PostID")}
	got := Tuple(context.Background(), reflect.ValueOf(join{PostID: 7}), []*schema.Reference{ref}, true)
	if !reflect.DeepEqual(got, []any{uint(7)}) {
		t.Errorf("Tuple = %#v, want []any{uint(7)}", got)
	}
	if v := Convert(nil, reflect.TypeOf(uint(0))); v != nil {
		t.Errorf("Convert(nil) = %v", v)
	}
}

// removal is what a callback placed before gorm:delete saw of one
// join-table DELETE.
type removal struct {
	op Op
	r  Removal
	ok bool
}

// dryRun opens a database that runs GORM's callbacks without executing
// anything, and records the removals decoded from its join-table DELETEs.
func dryRun(t *testing.T) (*gorm.DB, *[]removal) {
	t.Helper()
	cfg := dbtest.Config()
	cfg.DryRun = true
	db := dbtest.OpenConfig(t, dbtest.SQLiteMemory, cfg)
	var got []removal
	err := db.Callback().Delete().Before("gorm:delete").Register("test:decode", func(db *gorm.DB) {
		if db.Statement.Schema == nil || !Generated(db.Statement.Schema.ModelType) {
			return
		}
		var cols []Columns
		for _, rel := range Through(db.Statement.Schema) {
			cols = append(cols, ColumnsOf(rel))
		}
		op := Caller()
		r, ok := DecodeRemoval(db.Statement, op, cols)
		got = append(got, removal{op: op, r: r, ok: ok})
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, &got
}

func TestDecodeRemoval(t *testing.T) {
	db, got := dryRun(t)
	post := &Post{ID: 1}
	tags := []Tag{{ID: 2}, {ID: 3}, {ID: 2}}
	check := func(name string, run func() error, op Op, ok bool, owners, related [][]any) {
		t.Helper()
		*got = nil
		if err := run(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(*got) != 1 {
			t.Fatalf("%s: %d join-table deletes, want 1", name, len(*got))
		}
		g := (*got)[0]
		if g.op != op || g.ok != ok {
			t.Fatalf("%s: op %v ok %v, want %v %v", name, g.op, g.ok, op, ok)
		}
		if !ok {
			return
		}
		if g.r.Rel != 0 || !reflect.DeepEqual(g.r.Owners, owners) || g.r.Where == nil {
			t.Errorf("%s: relation %d, owners %v; want 0, %v", name, g.r.Rel, g.r.Owners, owners)
		}
		if !reflect.DeepEqual(g.r.Related, related) {
			t.Errorf("%s: related %v, want %v", name, g.r.Related, related)
		}
	}
	one := [][]any{{uint(1)}}
	check("Delete", func() error { return db.Model(post).Association("Tags").Delete(tags) }, Delete, true,
		one, [][]any{{uint(2)}, {uint(3)}})
	check("Replace", func() error { return db.Model(post).Association("Tags").Replace(tags[:1]) }, Replace, true, one, nil)
	check("Clear", func() error { return db.Model(post).Association("Tags").Clear() }, Clear, true, one, nil)
	// The reverse side has a join struct of its own over the same table.
	check("reverse Delete", func() error {
		return db.Model(&Tag{ID: 2}).Association("Posts").Delete(&Post{ID: 1})
	}, Delete, true, [][]any{{uint(2)}}, one)
}

func TestDecodeRemovalRefuses(t *testing.T) {
	in := func(col string, neg bool, vals ...any) clause.Expression {
		e := clause.Expression(clause.IN{Column: clause.Column{Name: col}, Values: vals})
		if neg {
			e = clause.NotConditions{Exprs: []clause.Expression{e}}
		}
		return e
	}
	stmt := func(exprs ...clause.Expression) *gorm.Statement {
		s := &gorm.Statement{Clauses: map[string]clause.Clause{}}
		if exprs != nil {
			s.Clauses["WHERE"] = clause.Clause{Expression: clause.Where{Exprs: exprs}}
		}
		return s
	}
	cols := []Columns{{Own: "post_id", Other: "tag_id"}}
	for _, tc := range []struct {
		name string
		stmt *gorm.Statement
		op   Op
	}{
		{"no WHERE", stmt(), Delete},
		{"not an Association method", stmt(in("post_id", false, 1)), None},
		{"Append", stmt(in("post_id", false, 1)), Append},
		{"negated owners", stmt(in("post_id", true, 1)), Clear},
		{"other columns", stmt(in("x_id", false, 1)), Clear},
		{"no owner", stmt(in("post_id", false)), Clear},
		{"Delete without related keys", stmt(in("post_id", false, 1)), Delete},
		{"Delete with negated related keys", stmt(in("post_id", false, 1), in("tag_id", true, 2)), Delete},
	} {
		if _, ok := DecodeRemoval(tc.stmt, tc.op, cols); ok {
			t.Errorf("%s: DecodeRemoval accepted it", tc.name)
		}
	}
	r, ok := DecodeRemoval(stmt(in("post_id", false, 1, 2), in("tag_id", false, 3)), Delete, cols)
	if !ok || !reflect.DeepEqual(r.Owners, [][]any{{1}, {2}}) || !reflect.DeepEqual(r.Related, [][]any{{3}}) {
		t.Errorf("DecodeRemoval = %+v, %v", r, ok)
	}
}
