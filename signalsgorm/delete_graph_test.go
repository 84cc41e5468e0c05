package signalsgorm_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// A tree is deleted leaves first, one DELETE per level: MariaDB checks
// foreign keys row by row and refuses a parent deleted before its child
// in the same statement.
func TestDeleteTree(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		id := func(n *Node) *uint { return &n.ID }
		root := Node{Name: "root"}
		mustCreate(t, db, &root)
		a, b := Node{Name: "a", ParentID: id(&root)}, Node{Name: "b", ParentID: id(&root)}
		mustCreate(t, db, &a)
		mustCreate(t, db, &b)
		c := Node{Name: "c", ParentID: id(&a)}
		mustCreate(t, db, &c)
		d := Node{Name: "d", ParentID: id(&c)}
		mustCreate(t, db, &d)
		tp := recordDeletes(t)
		log.reset()
		res, err := signalsgorm.Delete(db, &root)
		if err != nil || res.Total != 5 {
			t.Fatalf("%+v %v", res, err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Node id=1", "pre_delete signalsgorm_test.Node id=2", "pre_delete signalsgorm_test.Node id=3",
			"pre_delete signalsgorm_test.Node id=4", "pre_delete signalsgorm_test.Node id=5",
			"post_delete signalsgorm_test.Node id=5", "post_delete signalsgorm_test.Node id=4", "post_delete signalsgorm_test.Node id=3",
			"post_delete signalsgorm_test.Node id=2", "post_delete signalsgorm_test.Node id=1")
		// One DELETE per level, deepest first: d, c, a and b, root.
		var deletes []string
		for _, s := range log.take() {
			if strings.HasPrefix(s, "DELETE") {
				deletes = append(deletes, strings.NewReplacer("`", "", `"`, "").Replace(s))
			}
		}
		if want := []string{"nodes.id = 5", "nodes.id = 4", keysIn(dialect, "nodes.id", "2,3"), "nodes.id = 1"}; len(deletes) != len(want) {
			t.Fatalf("deletes %v", deletes)
		} else {
			for i, w := range want {
				if !strings.HasSuffix(deletes[i], w) {
					t.Fatalf("deletes %v, want %v", deletes, want)
				}
			}
		}
		if count(t, db, &Node{}) != 0 {
			t.Fatal("nodes left")
		}

		// Two nodes referencing each other: the cycle is cut by setting
		// the keys to NULL first (tests/delete/tests.py,
		// DeletionTests.test_cannot_defer_constraint_checks).
		x := Node{Name: "x"}
		mustCreate(t, db, &x)
		y := Node{Name: "y", ParentID: id(&x)}
		mustCreate(t, db, &y)
		if err := db.Model(&x).Update("parent_id", y.ID).Error; err != nil {
			t.Fatal(err)
		}
		tp.take()
		if res, err := signalsgorm.Delete(db, &x); err != nil || res.Total != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		if got, _ := tp.take(); len(got) != 4 {
			t.Fatalf("signals %v", got)
		}
	})
}

// A cycle through a nullable key: a person's pets cascade, and so do the
// people who like a deleted pet.
type Fan struct {
	ID      uint
	LikesID *uint
	Likes   *Pet `gorm:"foreignKey:LikesID" signals:"on_delete:CASCADE"`
}

type Pet struct {
	ID      uint
	OwnerID uint
	Owner   *Fan `signals:"on_delete:CASCADE"`
}

// A cycle through keys that cannot be NULL.
type Hen struct {
	ID    uint
	EggID uint
	Egg   *Egg `signals:"on_delete:CASCADE"`
}

type Egg struct {
	ID    uint
	HenID uint
	Hen   *Hen `signals:"on_delete:CASCADE"`
}

// A cycle of models terminates; when nullable keys close it,
// they are set to NULL first and the dependency order holds; otherwise
// the collection order is kept.
func TestDeleteModelCycles(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, log := openDelete(t, dialect)
		// GORM cannot create tables that reference each other in one go:
		// the tables first, then their foreign keys.
		mig := db.Session(&gorm.Session{})
		mig.Config.DisableForeignKeyConstraintWhenMigrating = true
		if err := signalsgorm.AutoMigrate(mig, &Fan{}, &Pet{}); err != nil {
			t.Fatal(err)
		}
		if dialect != "sqlite" { // SQLite cannot add a foreign key to a table
			for _, c := range []struct {
				model any
				name  string
			}{{&Pet{}, "Owner"}, {&Fan{}, "Likes"}} {
				if err := db.Migrator().CreateConstraint(c.model, c.name); err != nil {
					t.Fatal(err)
				}
			}
		}
		p1, p2 := Fan{}, Fan{}
		mustCreate(t, db, &p1)
		mustCreate(t, db, &p2)
		x, y := Pet{OwnerID: p1.ID}, Pet{OwnerID: p2.ID}
		mustCreate(t, db, &x)
		mustCreate(t, db, &y)
		db.Model(&p2).Update("likes_id", x.ID)
		tp := recordDeletes(t)
		connect(t, modelsignals.PreUpdate, func(context.Context, modelsignals.UpdateEvent) error {
			t.Error("pre_update for keys set to NULL to cut a cycle")
			return nil
		})
		log.reset()
		res, err := signalsgorm.Delete(db, &p1)
		if err != nil || res.Total != 4 {
			t.Fatalf("%+v %v", res, err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Pet id=1", "pre_delete signalsgorm_test.Pet id=2",
			"pre_delete signalsgorm_test.Fan id=1", "pre_delete signalsgorm_test.Fan id=2",
			"post_delete signalsgorm_test.Pet id=2", "post_delete signalsgorm_test.Pet id=1",
			"post_delete signalsgorm_test.Fan id=2", "post_delete signalsgorm_test.Fan id=1")
		if !strings.Contains(strings.Join(log.take(), "\n"), "likes_id") {
			t.Fatal("no UPDATE of likes_id")
		}

		// Keys that cannot be NULL: no order exists (the database must not
		// enforce these keys for the rows to exist at all).
		cfg := dbtest.Config()
		cfg.DisableForeignKeyConstraintWhenMigrating = true
		free := dbtest.OpenConfig(t, dialect, cfg)
		if err := free.Use(signalsgorm.New()); err != nil {
			t.Fatal(err)
		}
		if err := signalsgorm.AutoMigrate(free, &Hen{}, &Egg{}); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, free, &[]Hen{{EggID: 0}, {EggID: 1}})
		mustCreate(t, free, &[]Egg{{HenID: 1}})
		if err := free.Delete(&Hen{ID: 1}).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Hen id=1", "pre_delete signalsgorm_test.Hen id=2", "pre_delete signalsgorm_test.Egg id=1",
			"post_delete signalsgorm_test.Hen id=2", "post_delete signalsgorm_test.Hen id=1", "post_delete signalsgorm_test.Egg id=1")
	})
}

// Polymorphic has-many: only the owner type's rows cascade.
type Cat struct {
	ID   uint
	Toys []Toy `gorm:"polymorphic:Owner" signals:"on_delete:CASCADE"`
}

type Dog struct {
	ID   uint
	Toys []Toy `gorm:"polymorphic:Owner" signals:"on_delete:CASCADE"`
}

type Toy struct {
	ID        uint
	OwnerID   uint
	OwnerType string
}

// Custom join model (SetupJoinTable): its rows are models, with signals.
type Course struct {
	ID       uint
	Students []Student `gorm:"many2many:enrollments"`
}

type Student struct {
	ID   uint
	Name string
}

type Enrollment struct {
	CourseID  uint `gorm:"primaryKey"`
	StudentID uint `gorm:"primaryKey"`
	Grade     int
}

// Has-one.
type Captain struct {
	ID   uint
	Ship *Ship `gorm:"constraint:OnDelete:CASCADE"`
}

type Ship struct {
	ID        uint
	CaptainID uint
}

// GORM's join rows go without signals, from either side (tests/delete/tests.py,
// DeletionTests.test_model_delete_returns_num_rows); a
// custom join model's rows get theirs; polymorphic cascades keep to their
// type; has-one cascades.
func TestDeleteLinks(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, _ := openDelete(t, dialect)
		if err := db.SetupJoinTable(&Course{}, "Students", &Enrollment{}); err != nil {
			t.Fatal(err)
		}
		if err := signalsgorm.AutoMigrate(db, &Cat{}, &Dog{}, &Toy{}, &Course{}, &Student{}, &Enrollment{}, &Captain{}, &Ship{}); err != nil {
			t.Fatal(err)
		}
		cpt := Captain{Ship: &Ship{}}
		mustCreate(t, db, &cpt)
		w := seedWriter(t, db, "w")
		tp := recordDeletes(t)
		res, err := signalsgorm.Delete(db, &w.Novels[0].Genres[0])
		if err != nil || res.Total != 2 || res.PerModel["signalsgorm_test.Novel_Genres"] != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Genre id=1", "post_delete signalsgorm_test.Genre id=1")

		cat, dog := Cat{Toys: []Toy{{}, {}}}, Dog{Toys: []Toy{{}}}
		mustCreate(t, db, &cat)
		mustCreate(t, db, &dog)
		if res, err := signalsgorm.Delete(db, &dog); err != nil || res.PerModel["signalsgorm_test.Toy"] != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Toy id=3", "pre_delete signalsgorm_test.Dog id=1",
			"post_delete signalsgorm_test.Toy id=3", "post_delete signalsgorm_test.Dog id=1")
		wantCounts(t, db, "Toy=2", &Toy{})

		c := Course{Students: []Student{{Name: "a"}, {Name: "b"}}}
		mustCreate(t, db, &c)
		c2 := Course{Students: []Student{c.Students[0]}}
		mustCreate(t, db, &c2)
		if res, err := signalsgorm.Delete(db, &c.Students[0]); err != nil || res.PerModel["signalsgorm_test.Enrollment"] != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Enrollment id=?", "pre_delete signalsgorm_test.Enrollment id=?", "pre_delete signalsgorm_test.Student id=1",
			"post_delete signalsgorm_test.Enrollment id=?", "post_delete signalsgorm_test.Enrollment id=?", "post_delete signalsgorm_test.Student id=1")
		wantCounts(t, db, "Course=2 Student=1 Enrollment=1", &Course{}, &Student{}, &Enrollment{})

		if err := db.Delete(&cpt).Error; err != nil {
			t.Fatal(err)
		}
		tp.check(t, "pre_delete signalsgorm_test.Ship id=1", "pre_delete signalsgorm_test.Captain id=1",
			"post_delete signalsgorm_test.Ship id=1", "post_delete signalsgorm_test.Captain id=1")
	})
}

// db.SetupJoinTable after the plugin indexed the relation: the custom join
// model's rows get their signals from then on.
func TestDeleteJoinTableReplaced(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	if err := db.Use(signalsgorm.New()); err != nil {
		t.Fatal(err)
	}
	if err := signalsgorm.AutoMigrate(db, &Course{}, &Student{}, &Enrollment{}); err != nil {
		t.Fatal(err)
	}
	if _, err := signalsgorm.From(db).DeletePlan(&Student{}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetupJoinTable(&Course{}, "Students", &Enrollment{}); err != nil {
		t.Fatal(err)
	}
	c := Course{Students: []Student{{Name: "a"}}}
	mustCreate(t, db, &c)
	tp := recordDeletes(t)
	if err := db.Delete(&c.Students[0]).Error; err != nil {
		t.Fatal(err)
	}
	tp.check(t, "pre_delete signalsgorm_test.Enrollment id=?", "pre_delete signalsgorm_test.Student id=1",
		"post_delete signalsgorm_test.Enrollment id=?", "post_delete signalsgorm_test.Student id=1")
}
