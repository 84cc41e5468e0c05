package signalsgorm_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalstest"
)

// Many-to-many test models.

// Post and Label declare their relation on both sides, over the generated
// join table post_labels: Post.Labels is the forward side, because the join
// table's name begins with its column's stem ("post_id").
type Post struct {
	ID     uint
	Title  string
	Labels []Label `gorm:"many2many:post_labels"`
}

type Label struct {
	ID    uint
	Name  string
	Uses  int
	Posts []Post `gorm:"many2many:post_labels"`
}

// Group and Person share the custom join model Membership. Neither name
// begins "memberships": Group.Members is forward, its label sorting first.
type Group struct {
	ID      uint
	Name    string
	Members []Person `gorm:"many2many:memberships"`
}

type Person struct {
	ID     uint
	Name   string
	Groups []Group `gorm:"many2many:memberships"`
}

type Membership struct {
	GroupID   uint `gorm:"primaryKey"`
	PersonID  uint `gorm:"primaryKey"`
	CreatedAt time.Time
}

// Team and Player: the tag makes Team.Players the forward side, where the
// label order alone would choose Player.Teams.
type Team struct {
	ID      uint
	Name    string
	Players []Player `gorm:"many2many:rosters"`
}

type Player struct {
	ID    uint
	Name  string
	Teams []Team `gorm:"many2many:rosters" signals:"reverse"`
}

// User has a self-relation (Friends) and a non-symmetrical one declared on
// both ends (Following/Followers, like Django's idols and fans).
type User struct {
	ID        uint
	Name      string
	Friends   []*User `gorm:"many2many:user_friends"`
	Following []*User `gorm:"many2many:user_follows;joinForeignKey:UserID;joinReferences:FollowID"`
	Followers []*User `gorm:"many2many:user_follows;joinForeignKey:FollowID;joinReferences:UserID"`
}

// openM2M opens a database with the plugin, the join models set up and the
// many-to-many models migrated.
func openM2M(t testing.TB, dialect string) *gorm.DB {
	t.Helper()
	db := dbtest.Open(t, dialect, dbtest.Use(signalsgorm.New()))
	setupM2M(t, db)
	return db
}

// openM2MPlain is openM2M without the plugin: GORM alone.
func openM2MPlain(t testing.TB, dialect string) *gorm.DB {
	t.Helper()
	db := dbtest.Open(t, dialect)
	setupM2M(t, db)
	return db
}

func setupM2M(t testing.TB, db *gorm.DB) {
	t.Helper()
	if err := db.SetupJoinTable(&Group{}, "Members", &Membership{}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetupJoinTable(&Person{}, "Groups", &Membership{}); err != nil {
		t.Fatal(err)
	}
	if err := db.AutoMigrate(&Post{}, &Label{}, &Group{}, &Person{}, &Team{}, &Player{}, &User{}); err != nil {
		t.Fatal(err)
	}
}

// recordM2M records the m2m_changed events of through (every join model
// when through is nil) until the test ends, as
// "action Model.Field #instanceID pks [removed=keys] [reverse]", where
// removed= is left out when Removed equals PKSet (a remove of keys all
// linked) and for an add without Removed.
func recordM2M(t *testing.T, through *modelsignals.Model) recording[modelsignals.M2MEvent] {
	t.Helper()
	var opts []signalstest.Option
	if through != nil {
		opts = append(opts, signalstest.WithSender(through.Type))
	}
	return record(t, []*signals.Signal[modelsignals.M2MEvent]{modelsignals.M2MChanged},
		func(_ string, ev modelsignals.M2MEvent) string { return describeM2M(ev) }, opts...)
}

func describeM2M(ev modelsignals.M2MEvent) string {
	s := fmt.Sprintf("%v %s.%s #%v", ev.Action, ev.Model.Type.Name(), ev.Field, idOf(ev.Instance))
	if ev.PKSet == nil {
		s += " nil"
	} else {
		s += fmt.Sprintf(" %v", ev.PKSet)
	}
	switch {
	case ev.Action == modelsignals.PreAdd || ev.Action == modelsignals.PostAdd:
		if ev.Removed != nil {
			s += fmt.Sprintf(" removed=%v", ev.Removed)
		}
	case !reflect.DeepEqual(ev.PKSet, ev.Removed):
		s += fmt.Sprintf(" removed=%v", ev.Removed)
	}
	if ev.Reverse {
		s += " reverse"
	}
	return s
}

func idOf(inst any) any {
	v := reflect.ValueOf(inst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Sprintf("<%T>", inst)
	}
	return v.Elem().FieldByName("ID").Interface()
}

func through(t *testing.T, db *gorm.DB, model any, field string) *modelsignals.Model {
	t.Helper()
	m, err := signalsgorm.Through(db, model, field)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// linked returns the ids linked to the owner through the association.
func linked(t *testing.T, db *gorm.DB, owner any, field string) []uint {
	t.Helper()
	var ids []uint
	ft := reflect.TypeOf(owner).Elem()
	sf, _ := ft.FieldByName(field)
	et := sf.Type.Elem()
	for et.Kind() == reflect.Pointer {
		et = et.Elem()
	}
	list := reflect.New(reflect.SliceOf(et))
	if err := db.Model(owner).Order("id").Association(field).Find(list.Interface()); err != nil {
		t.Fatal(err)
	}
	for i := range list.Elem().Len() {
		ids = append(ids, list.Elem().Index(i).FieldByName("ID").Interface().(uint))
	}
	return ids
}

func mustCreate(t *testing.T, db *gorm.DB, v any) {
	t.Helper()
	if err := db.Create(v).Error; err != nil {
		t.Fatal(err)
	}
}
