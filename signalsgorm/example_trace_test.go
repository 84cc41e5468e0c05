package signalsgorm_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// A trace shows what a save set off, in firing order: the signals, their
// receivers, the SQL of each statement and the on-commit callbacks, nested
// where they happened. Here a pre_save receiver fills in a title, a
// post_save receiver writes a notification in the save's transaction, and
// an after-commit receiver indexes the book once the transaction commits.
func Example_traceBookSave() {
	db := openExample("trace", &Book{}, &Notification{})
	h1 := modelsignals.OnPreSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
		if ev.Instance.Title == "" {
			ev.Instance.Title = "Untitled"
		}
		return nil
	}, signals.Name("default title"))
	defer h1.Disconnect()
	h2 := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Book]) error {
		return signalsgorm.DB(ctx, db).Create(&Notification{Message: "new book"}).Error
	}, signals.Name("notify"))
	defer h2.Disconnect()
	h3 := signalsgorm.AfterCommit(modelsignals.OnPostSave, func(ctx context.Context, ev modelsignals.Save[Book]) error {
		return nil // update a search index
	}, signals.Name("index"))
	defer h3.Disconnect()

	ctx, tr := signals.StartTrace(context.Background(), "save a book")
	db.WithContext(ctx).Create(&Book{Pages: 12})
	tr.Stop()

	for _, s := range tr.Steps() { // tr.String() adds times, places and rows
		mode := ""
		if s.Mode != "" && s.Mode != "inline" {
			mode = " [" + s.Mode + "]"
		}
		fmt.Printf("%s%s %s%s: %s\n", strings.Repeat("  ", s.Depth), s.Kind, s.Name, mode, s.Outcome)
	}
	// Output:
	// send pre_save: ok
	//   receiver default title: ok
	// sql INSERT INTO `books` (`title`,`pages`,`author_id`,`created_at`,`updated_at`) VALUES (?,?,?,?,?) RETURNING `id`: ok
	// send post_save: ok
	//   receiver notify: ok
	//     sql INSERT INTO `notifications` (`message`) VALUES (?) RETURNING `id`: ok
	//   receiver index [after_commit]: ok
	//     on_commit index: ok
}
