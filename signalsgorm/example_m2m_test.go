package signalsgorm_test

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

type Entry struct {
	ID       uint
	Title    string
	Keywords []Keyword `gorm:"many2many:entry_keywords"`
}

type Keyword struct {
	ID   uint
	Name string
	Uses int
}

// m2m_changed keeps a counter right (seed: each keyword counts the entries
// using it). The code that links keywords is plain GORM; the typed receiver
// of Entry.Keywords gets the keys as []uint and updates the counters in
// the same transaction: PKSet for an add (the keys not linked before),
// Removed for a remove and a clear (the keys they unlink; a remove's PKSet
// has every key given, linked or not, as in Django).
func Example_m2mUsageCounter() {
	db := openExample("m2m_counter", &Entry{}, &Keyword{})
	h := modelsignals.OnM2MChanged("Keywords", func(ctx context.Context, ev modelsignals.M2M[Entry, uint]) error {
		keys, delta := ev.PKSet, 1
		switch ev.Action {
		case modelsignals.PostAdd:
		case modelsignals.PostRemove, modelsignals.PostClear:
			keys, delta = ev.Removed, -1
		default:
			return nil
		}
		if len(keys) == 0 {
			return nil
		}
		return signalsgorm.DB(ctx, db).Model(&Keyword{}).Where("id IN ?", keys).
			UpdateColumn("uses", gorm.Expr("uses + ?", delta)).Error
	})
	defer h.Disconnect()

	show := func(step string) {
		var ks []Keyword
		db.Order("id").Find(&ks)
		fmt.Printf("%-22s", step)
		for _, k := range ks {
			fmt.Printf(" %s=%d", k.Name, k.Uses)
		}
		fmt.Println()
	}
	goKw, sqlKw := Keyword{Name: "go"}, Keyword{Name: "sql"}
	db.Create(&[]*Keyword{&goKw, &sqlKw})

	a := Entry{Title: "a", Keywords: []Keyword{goKw}}
	db.Create(&a)
	show("create a with go")
	b := Entry{Title: "b"}
	db.Create(&b)
	db.Model(&b).Association("Keywords").Append(&goKw, &sqlKw)
	show("b: append go, sql")
	db.Model(&b).Association("Keywords").Append(&goKw)
	show("b: append go again")
	db.Model(&a).Association("Keywords").Replace(&sqlKw)
	show("a: replace by sql")
	db.Model(&b).Association("Keywords").Clear()
	show("b: clear")
	db.Model(&a).Association("Keywords").Delete(&sqlKw, &goKw)
	show("a: delete sql, go")
	// Output:
	// create a with go       go=1 sql=0
	// b: append go, sql      go=2 sql=1
	// b: append go again     go=2 sql=1
	// a: replace by sql      go=1 sql=2
	// b: clear               go=0 sql=1
	// a: delete sql, go      go=0 sql=0
}

// Each operation sends a pre_ and a post_ event, with the object whose
// relation was used; reverse is set on the side that does not declare the
// relation (here Label.Posts: the join table post_labels is named after
// Post).
func Example_m2mEvents() {
	db := openExample("m2m_events", &Post{}, &Label{})
	h := modelsignals.M2MChanged.ConnectFunc(func(_ context.Context, ev modelsignals.M2MEvent) error {
		if ev.Action == modelsignals.PreAdd || ev.Action == modelsignals.PreRemove || ev.Action == modelsignals.PreClear {
			fmt.Println(ev.Action, ev.Model, ev.Field, "→", ev.Related, "reverse:", ev.Reverse, "pk_set:", ev.PKSet, "removed:", ev.Removed)
		}
		return nil
	})
	defer h.Disconnect()

	labels := []Label{{Name: "go"}, {Name: "sql"}}
	db.Create(&labels)
	post := Post{Title: "p"}
	db.Create(&post)
	db.Model(&post).Association("Labels").Append(&labels[0], &labels[1])
	db.Model(&post).Association("Labels").Delete(&labels[0])
	db.Model(&labels[1]).Association("Posts").Clear()
	// Output:
	// pre_add signalsgorm_test.Post Labels → signalsgorm_test.Label reverse: false pk_set: [1 2] removed: []
	// pre_remove signalsgorm_test.Post Labels → signalsgorm_test.Label reverse: false pk_set: [1] removed: [1]
	// pre_clear signalsgorm_test.Label Posts → signalsgorm_test.Post reverse: true pk_set: [] removed: [1]
}
