package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

type Story struct {
	ID    uint
	Title string
	Slug  string
	Words int
}

// openStories opens an in-memory SQLite database with the plugin,
// configured with opts, and the Story table.
func openStories(name string, opts ...signalsgorm.Option) *gorm.DB {
	db := dbtest.Memory(name)
	if err := db.Use(signalsgorm.New(opts...)); err != nil {
		panic(err)
	}
	if err := db.AutoMigrate(&Story{}); err != nil {
		panic(err)
	}
	return db
}

// slugStories connects a pre_save receiver that derives a story's slug
// from its title.
func slugStories() func() {
	h := modelsignals.OnPreSave(func(ctx context.Context, ev modelsignals.Save[Story]) error {
		ev.Instance.Slug = strings.ToLower(strings.ReplaceAll(ev.Instance.Title, " ", "-"))
		return nil
	})
	return func() { h.Disconnect() }
}

// An update writes its update fields only, as Django's
// save(update_fields=...): the slug a pre_save receiver derives from the
// new title stays in the object, and the plugin logs a warning (once per
// model and field). WritePreSaveChanges writes such changes too.
func ExampleWritePreSaveChanges() {
	defer slugStories()()
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}))
	for _, opts := range [][]signalsgorm.Option{
		{signalsgorm.Logger(logger)},
		{signalsgorm.Logger(logger), signalsgorm.WritePreSaveChanges()},
	} {
		db := openStories(fmt.Sprint("write_presave_changes", len(opts)), opts...)
		s := Story{Title: "First Draft"}
		db.Create(&s)
		db.Model(&s).Updates(map[string]any{"Title": "Final Cut"})
		var got Story
		db.First(&got, s.ID)
		fmt.Printf("stored: %s, %s\n", got.Title, got.Slug)
	}
	// Output:
	// level=WARN msg="signalsgorm: a pre_save receiver changed a field outside the update fields; the change is not written" model=signalsgorm_test.Story field=Slug update_fields=Title using=default fix="name the field in Select or the Updates map, or install the plugin with signalsgorm.WritePreSaveChanges()"
	// stored: Final Cut, first-draft
	// stored: Final Cut, final-cut
}

// With ReportNotUpdated, an update of an object whose row was deleted
// meanwhile fails with ErrNotUpdated, as Django's save(update_fields=...)
// raises Model.NotUpdated. Conditional and bulk updates that match no row
// are not errors.
func ExampleReportNotUpdated() {
	db := openStories("report_not_updated", signalsgorm.ReportNotUpdated())
	s := Story{Title: "Draft"}
	db.Create(&s)
	db.Delete(&Story{}, s.ID) // deleted elsewhere

	err := db.Model(&s).Update("Title", "Final").Error
	fmt.Println(errors.Is(err, signalsgorm.ErrNotUpdated))
	fmt.Println(err)

	res := db.Model(&Story{}).Where("words > ?", 1000).Update("Title", "Long")
	fmt.Println(res.Error, res.RowsAffected)
	// Output:
	// true
	// signalsgorm: save of signalsgorm_test.Story#1 with update fields Title did not affect any rows: no row has this key (deleted or soft-deleted)
	// <nil> 0
}

// A Save of an object loaded with some of its columns writes those columns
// (and those set since), not zeros over the others, as Django saves a
// deferred instance.
func Example_saveLoadedColumns() {
	db := openStories("save_loaded_columns")
	db.Create(&Story{Title: "Dune", Slug: "dune", Words: 188000})

	var s Story
	db.Select("id", "title").First(&s) // Slug and Words are not loaded: zero
	s.Title = "Dune Messiah"
	db.Save(&s) // UPDATE ... SET title WHERE id: update fields [Title]

	var got Story
	db.First(&got)
	fmt.Println(got.Title, got.Slug, got.Words)
	// Output: Dune Messiah dune 188000
}
