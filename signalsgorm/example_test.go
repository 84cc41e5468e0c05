package signalsgorm_test

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// openExample opens an in-memory SQLite database with the plugin installed.
func openExample(name string, models ...any) *gorm.DB {
	db := dbtest.Memory(name)
	if err := db.Use(signalsgorm.New()); err != nil {
		panic(err)
	}
	if err := db.AutoMigrate(models...); err != nil {
		panic(err)
	}
	return db
}

type Notification struct {
	ID      uint
	Message string
}

// pre_save can fill in missing values before the row is written (seed: set a
// missing title to "Untitled").
func Example_defaultTitle() {
	db := openExample("default_title", &Book{})
	h := modelsignals.OnPreSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
		if ev.Instance.Title == "" {
			ev.Instance.Title = "Untitled"
		}
		return nil
	})
	defer h.Disconnect()

	db.Create(&Book{Pages: 12})
	var b Book
	db.First(&b)
	fmt.Println(b.Title)
	// Output: Untitled
}

// post_save with Created tells inserts from updates (seed: create a
// notification when a book is added). The receiver writes with
// signalsgorm.DB(ctx, db), in the transaction of the save.
func Example_notifyOnCreate() {
	db := openExample("notify", &Book{}, &Notification{})
	h := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
		if !ev.Created {
			return nil
		}
		return signalsgorm.DB(ctx, db).Create(&Notification{
			Message: fmt.Sprintf("A book titled %q was added.", ev.Instance.Title),
		}).Error
	})
	defer h.Disconnect()

	b := Book{Title: "Dune"}
	db.Create(&b)
	b.Pages = 412
	db.Save(&b) // an update: no notification

	var notes []Notification
	db.Find(&notes)
	for _, n := range notes {
		fmt.Println(n.Message)
	}
	// Output: A book titled "Dune" was added.
}

// A receiver without a sender sees every model: an audit log for all
// models, with the fields each save wrote.
func Example_auditLog() {
	db := openExample("audit", &Book{}, &Tag{})
	h := modelsignals.PostSave.ConnectFunc(func(ctx context.Context, ev modelsignals.SaveEvent) error {
		what := "updated"
		if ev.Created {
			what = "created"
		}
		fields := "all fields"
		if ev.UpdateFields != nil {
			fields = fmt.Sprint(ev.UpdateFields)
		}
		fmt.Printf("%s %s (%s) on %s\n", ev.Model.Label, what, fields, ev.Using)
		return nil
	})
	defer h.Disconnect()

	b := Book{Title: "Emma"}
	db.Create(&b)
	db.Create(&Tag{Name: "classic"})
	db.Model(&b).Updates(map[string]any{"title": "Emma (1815)", "pages": 474})
	// Output:
	// signalsgorm_test.Book created (all fields) on default
	// signalsgorm_test.Tag created (all fields) on default
	// signalsgorm_test.Book updated ([Pages Title]) on default
}
