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
// receivers, and the SQL of each statement, nested where it happened. Here
// a pre_save receiver fills in a title, and a post_save receiver writes a
// notification in the save's transaction.
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

	ctx, tr := signals.StartTrace(context.Background(), "save a book")
	db.WithContext(ctx).Create(&Book{Pages: 12})
	tr.Stop()

	for _, s := range tr.Steps() {
		fmt.Printf("%s%s %s: %s\n", strings.Repeat("  ", s.Depth), s.Kind, s.Name, s.Outcome)
	}
	// Output:
	// send pre_save: ok
	//   receiver default title: ok
	// sql INSERT INTO `books` (`title`,`pages`,`author_id`,`created_at`,`updated_at`) VALUES (?,?,?,?,?) RETURNING `id`: ok
	// send post_save: ok
	//   receiver notify: ok
	//     sql INSERT INTO `notifications` (`message`) VALUES (?) RETURNING `id`: ok
}
