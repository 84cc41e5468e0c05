package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// Paperback keeps the path of its cover image, a file on disk.
type Paperback struct {
	ID    uint
	Title string
	Cover string
}

// post_delete cleans up what belongs to a deleted object (seeds: remove
// the cover image of a deleted book). GORM's conditional Delete never
// loads the rows; the plugin reads them, so the receiver gets each book
// with its cover path.
func Example_deleteCoverFile() {
	db := openExample("covers", &Paperback{})
	dir, _ := os.MkdirTemp("", "covers")
	defer os.RemoveAll(dir)
	for _, title := range []string{"Dune", "Dune Messiah", "Emma"} {
		cover := filepath.Join(dir, title+".jpg")
		_ = os.WriteFile(cover, []byte("jpeg"), 0o600)
		db.Create(&Paperback{Title: title, Cover: cover})
	}

	h := modelsignals.OnPostDelete(func(ctx context.Context, ev modelsignals.Delete[Paperback]) error {
		if ev.Soft {
			return nil // the row can come back: keep its file
		}
		fmt.Printf("removing the cover of %q\n", ev.Instance.Title)
		return os.Remove(ev.Instance.Cover)
	})
	defer h.Disconnect()

	db.Where("title LIKE ?", "Dune%").Delete(&Paperback{})
	left, _ := os.ReadDir(dir)
	for _, f := range left {
		fmt.Println("left:", f.Name())
	}
	// Output:
	// removing the cover of "Dune Messiah"
	// removing the cover of "Dune"
	// left: Emma.jpg
}

// Deleting a row deletes what cascades from it, with signals for every
// object, and signalsgorm.Delete returns Django's (total, per model)
// counts; GORM's RowsAffected counts the writers.
func Example_deleteCascade() {
	db := openExample("cascade")
	_ = signalsgorm.AutoMigrate(db, &Writer{}, &Novel{}, &Review{}, &Genre{})
	w := Writer{Name: "Herbert", Novels: []Novel{
		{Title: "Dune", Reviews: []Review{{Stars: 5}, {Stars: 4}}, Genres: []Genre{{Name: "sf"}}},
	}}
	db.Create(&w)

	h := modelsignals.PreDelete.ConnectFunc(func(ctx context.Context, ev modelsignals.DeleteEvent) error {
		fmt.Println("pre_delete", ev.Model.Label)
		return nil
	})
	defer h.Disconnect()

	res, err := signalsgorm.Delete(db, &w)
	fmt.Println(res.Total, res.PerModel, err)
	// Output:
	// pre_delete signalsgorm_test.Review
	// pre_delete signalsgorm_test.Review
	// pre_delete signalsgorm_test.Novel
	// pre_delete signalsgorm_test.Writer
	// 5 map[signalsgorm_test.Novel:1 signalsgorm_test.Novel_Genres:1 signalsgorm_test.Review:2 signalsgorm_test.Writer:1] <nil>
}

// A Protect relation refuses the deletion before any signal or write, and
// the error lists the protecting rows.
func Example_deleteProtected() {
	db := openExample("protect")
	_ = signalsgorm.AutoMigrate(db, &Shelf{}, &Item{}, &Loan{})
	shelf := Shelf{Label: "A"}
	db.Create(&shelf)
	item := Item{ShelfID: shelf.ID}
	db.Create(&item)
	db.Create(&Loan{ItemID: item.ID})

	err := db.Delete(&shelf).Error
	var pe *signalsgorm.ProtectedError
	if errors.As(err, &pe) {
		fmt.Println(err)
		fmt.Printf("%d loan(s) protect it\n", len(pe.Objects))
	}
	// Output:
	// signalsgorm: cannot delete some instances of model 'signalsgorm_test.Shelf' because they are referenced through protected foreign keys: 'Item.Shelf'
	// 1 loan(s) protect it
}

// DeletePlan tells what a deletion would do, without running it.
func Example_deletePlan() {
	db := openExample("plan")
	_ = signalsgorm.AutoMigrate(db, &Writer{}, &Novel{}, &Review{}, &Genre{})
	h := modelsignals.OnPostDelete(func(context.Context, modelsignals.Delete[Review]) error { return nil })
	defer h.Disconnect()

	plan, _ := signalsgorm.From(db).DeletePlan(&Writer{})
	fmt.Println(plan)
	// Output:
	// delete signalsgorm_test.Writer: keys read
	//   Writer.Novels: signalsgorm_test.Novel CASCADE (constraint): one statement per relation, rows not read
	//     Novel.Genres: signalsgorm_test.Novel_Genres CASCADE (many2many): one statement per relation, rows not read
	//     Novel.Reviews: signalsgorm_test.Review CASCADE (constraint): rows read, signals sent
}
