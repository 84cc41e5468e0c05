package signalsgorm_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// A relation declared on both models has one join model; used from the
// other side, reverse is set and model and related swap
// (tests/m2m_signals/tests.py, ManyToManySignalsTest.test_m2m_relations_signals_reverse_relation_with_custom_related_name).
func TestM2MReverse(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		th := through(t, db, &Post{}, "Labels")
		if back := through(t, db, &Label{}, "Posts"); back != th {
			t.Fatalf("Label.Posts through %v, Post.Labels through %v", back, th)
		}
		label := Label{Name: "l"}
		mustCreate(t, db, &label)
		posts := []Post{{Title: "a"}, {Title: "b"}}
		mustCreate(t, db, &posts)
		tp := recordM2M(t, th)

		if err := db.Model(&label).Association("Posts").Append(&posts[0], &posts[1]); err != nil {
			t.Fatal(err)
		}
		evs := tp.check(t, "pre_add Label.Posts #1 [1 2] reverse", "post_add Label.Posts #1 [1 2] reverse")
		if ev := evs[0]; ev.Instance != &label || ev.Model.Type != reflect.TypeFor[Label]() || ev.Related.Type != reflect.TypeFor[Post]() || ev.Field != "Posts" {
			t.Fatalf("event %+v", ev)
		}
		// The forward side sees the links.
		if got := fmt.Sprint(linked(t, db, &posts[1], "Labels")); got != "[1]" {
			t.Fatalf("post 2 labels %s", got)
		}
		if err := db.Model(&label).Association("Posts").Delete(&posts[0]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_remove Label.Posts #1 [1] reverse", "post_remove Label.Posts #1 [1] reverse")
		if err := db.Model(&label).Association("Posts").Clear(); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_clear Label.Posts #1 nil removed=[2] reverse", "post_clear Label.Posts #1 nil removed=[2] reverse")
	})
}

// A custom join model (SetupJoinTable) is the sender, for both sides; its
// rows get no save signals. With neither name beginning the join
// table's, the side whose label sorts first (Group) is forward.
func TestM2MCustomJoinModel(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		th := through(t, db, &Group{}, "Members")
		if th.Type != reflect.TypeFor[Membership]() || through(t, db, &Person{}, "Groups") != th {
			t.Fatalf("through %v", th.Type)
		}
		group := Group{Name: "g"}
		mustCreate(t, db, &group)
		people := []Person{{Name: "a"}, {Name: "b"}}
		mustCreate(t, db, &people)
		saves := recordSaves(t)
		tp := recordM2M(t, th)

		if err := db.Model(&group).Association("Members").Append(&people[0], &people[1]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Group.Members #1 [1 2]", "post_add Group.Members #1 [1 2]")
		saves.check(t) // no Membership saves, and no Person saves (already stored)

		if err := db.Model(&people[0]).Association("Groups").Delete(&group); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_remove Person.Groups #1 [1] reverse", "post_remove Person.Groups #1 [1] reverse")
		if err := db.Model(&group).Association("Members").Clear(); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_clear Group.Members #1 nil removed=[2]", "post_clear Group.Members #1 nil removed=[2]")

		// Created along with a new person, from the reverse side.
		p := Person{Name: "c", Groups: []Group{group}}
		mustCreate(t, db, &p)
		tp.check(t, "pre_add Person.Groups #3 [1] reverse", "post_add Person.Groups #3 [1] reverse")
		saves.check(t, `pre_save signalsgorm_test.Person`, `post_save signalsgorm_test.Person created`)

		// Rows of the join model written directly are model saves.
		mustCreate(t, db, &Membership{GroupID: group.ID, PersonID: people[1].ID})
		saves.check(t, `pre_save signalsgorm_test.Membership`, `post_save signalsgorm_test.Membership created`)
		tp.check(t)
	})
}

// A field tagged signals:"reverse" is the reverse side.
func TestM2MReverseTag(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		th := through(t, db, &Player{}, "Teams")
		if th != through(t, db, &Team{}, "Players") || th.Label != "signalsgorm_test.Team_Players" {
			t.Fatalf("through %v", th)
		}
		team, player := Team{Name: "t"}, Player{Name: "p"}
		mustCreate(t, db, &team)
		mustCreate(t, db, &player)
		tp := recordM2M(t, th)
		if err := db.Model(&player).Association("Teams").Append(&team); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Player.Teams #1 [1] reverse", "post_add Player.Teams #1 [1] reverse")
		if err := db.Model(&team).Association("Players").Delete(&player); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_remove Team.Players #1 [1]", "post_remove Team.Players #1 [1]")
	})
}

// A self-relation inserts one row per link and sends one pair, with the
// instance whose relation was used (tests/m2m_signals/tests.py, ManyToManySignalsTest.test_m2m_relations_with_self_add_friends).
// A non-symmetrical self-relation declared on both ends (following/followers,
// Django's idols/fans) reports reverse on the followers side
// (test_m2m_relations_with_self_add_idols, test_m2m_relations_with_self_add_fan).
func TestM2MSelfRelation(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := openM2M(t, dialect)
		users := []*User{{Name: "ann"}, {Name: "bob"}, {Name: "cy"}}
		mustCreate(t, db, &users)
		tp := recordM2M(t, nil)

		if err := db.Model(users[0]).Association("Friends").Append(users[1], users[2]); err != nil {
			t.Fatal(err)
		}
		evs := tp.check(t, "pre_add User.Friends #1 [2 3]", "post_add User.Friends #1 [2 3]")
		if evs[0].Instance != users[0] || evs[0].Related.Type != reflect.TypeFor[User]() {
			t.Fatalf("event %+v", evs[0])
		}
		if got := fmt.Sprint(linked(t, db, users[1], "Friends")); got != "[]" {
			t.Fatalf("GORM's self-relations are not symmetrical; bob's friends %s", got)
		}

		follows := through(t, db, &User{}, "Following")
		if through(t, db, &User{}, "Followers") != follows || through(t, db, &User{}, "Friends") == follows {
			t.Fatal("following and followers must share their join model, friends must not")
		}
		if err := db.Model(users[0]).Association("Following").Append(users[1]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add User.Following #1 [2]", "post_add User.Following #1 [2]")
		if err := db.Model(users[1]).Association("Followers").Append(users[2]); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add User.Followers #2 [3] reverse", "post_add User.Followers #2 [3] reverse")
		if got := fmt.Sprint(linked(t, db, users[2], "Following")); got != "[2]" {
			t.Fatalf("cy follows %s", got)
		}
		if err := db.Model(users[1]).Association("Followers").Clear(); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_clear User.Followers #2 nil removed=[1 3] reverse", "post_clear User.Followers #2 nil removed=[1 3] reverse")
	})
}

// Through names the problem when the field is not a many2many relation.
func TestThroughErrors(t *testing.T) {
	db := openM2M(t, "sqlite")
	for _, tc := range []struct {
		model any
		field string
		want  string
	}{
		{&Post{}, "Nope", `signalsgorm: Through: signalsgorm_test.Post has no relation field "Nope"`},
		{&Post{}, "Title", `signalsgorm: Through: signalsgorm_test.Post has no relation field "Title"`},
		{&Author{}, "Books", `signalsgorm: Through: signalsgorm_test.Author.Books is a has_many relation, not many2many`},
	} {
		if _, err := signalsgorm.Through(db, tc.model, tc.field); err == nil || err.Error() != tc.want {
			t.Errorf("Through(%T, %q) = %v; want %s", tc.model, tc.field, err, tc.want)
		}
	}
	if _, err := signalsgorm.Through(db, 42, "X"); !errors.Is(err, modelsignals.ErrNotModel) {
		t.Errorf("Through(42) = %v", err)
	}
	plain := openM2MPlain(t, "sqlite")
	if _, err := signalsgorm.Through(plain, &Post{}, "Labels"); err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("Through without the plugin = %v", err)
	}
}

// A relation declared on one side only is forward; its generated join
// model is registered once, with a Django-like label, and the join type
// GORM generates for the other side of a two-sided relation is not a model
// of its own.
func TestM2MJoinModelRegistration(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		setupM2M(t, db)
		book, tag := Book{Title: "b"}, Tag{Name: "t"}
		mustCreate(t, db, &book)
		mustCreate(t, db, &tag)
		th := through(t, db, &Book{}, "Tags")
		tp := recordM2M(t, th)
		if err := db.Model(&book).Association("Tags").Append(&tag); err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_add Book.Tags #1 [1]", "post_add Book.Tags #1 [1]")

		post := Post{Title: "p", Labels: []Label{{Name: "l"}}}
		mustCreate(t, db, &post)
		var labels []Label
		var posts []Post
		if err := db.Preload("Posts").Find(&labels).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Preload("Labels").Find(&posts).Error; err != nil {
			t.Fatal(err)
		}
		if len(labels) != 1 || len(labels[0].Posts) != 1 || len(posts[0].Labels) != 1 {
			t.Fatalf("preloads %+v %+v", labels, posts)
		}
		var names []string
		for _, m := range modelsignals.Models() {
			names = append(names, m.Label)
		}
		all := strings.Join(names, " ")
		for _, want := range []string{"signalsgorm_test.Book_Tags", "signalsgorm_test.Post_Labels"} {
			if !strings.Contains(all, want) {
				t.Errorf("models %s: %s missing", all, want)
			}
		}
		if strings.Contains(all, "Label_Posts") || strings.Contains(all, "struct {") {
			t.Errorf("models %s", all)
		}
		if th.Table != "book_tags" || th.Type.Name() != "" {
			t.Errorf("through %+v", th)
		}
	})
}
