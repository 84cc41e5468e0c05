package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/examples/bookstore/shop"
	"github.com/gosignals/signals/signalshttp"
)

// scenarioStep is one scripted step; expectErr tells a refusal the scenario
// provokes from a failure.
type scenarioStep struct {
	title     string
	expectErr error
	run       func(ctx context.Context, db *gorm.DB, s *state) error
}

// state carries what earlier steps created.
type state struct {
	dir    string
	outbox interface {
		RunOnce(context.Context) (int, error)
	}
	author  shop.Author
	dune    shop.Book
	untitle shop.Book
}

var steps = []scenarioStep{
	{"Add an author with two books (one without a title) and two comments; a worker sends the welcome e-mail", nil, func(ctx context.Context, db *gorm.DB, s *state) error {
		cover := filepath.Join(s.dir, "dune-cover.jpg")
		if err := os.WriteFile(cover, []byte("JPEG"), 0o644); err != nil {
			return err
		}
		s.author = shop.Author{Name: "Frank Herbert", Email: "frank@example.com", Books: []shop.Book{
			{Title: "Dune", CoverPath: cover, InPrint: true, Comments: []shop.Comment{{Body: "A classic."}, {Body: "Spice!"}}},
			{InPrint: true},
		}}
		if err := db.WithContext(ctx).Create(&s.author).Error; err != nil {
			return err
		}
		s.dune, s.untitle = s.author.Books[0], s.author.Books[1]
		// The outbox worker delivers the durable welcome e-mail after the
		// commit (in production it runs in the background: Outbox.Run).
		_, err := s.outbox.RunOnce(ctx)
		return err
	}},
	{"Tag Dune: sf, classic (m2m_changed keeps the tag counters)", nil, func(ctx context.Context, db *gorm.DB, s *state) error {
		var tags []shop.Tag
		if err := db.WithContext(ctx).Where("name IN ?", []string{"sf", "classic"}).Find(&tags).Error; err != nil {
			return err
		}
		return db.WithContext(ctx).Model(&s.dune).Association("Tags").Append(&tags)
	}},
	{"Alice renames the untitled book (the audit log records old → new)", nil, func(ctx context.Context, db *gorm.DB, s *state) error {
		var b shop.Book
		if err := db.WithContext(ctx).First(&b, s.untitle.ID).Error; err != nil {
			return err
		}
		b.Title = "Dune Messiah"
		return db.WithContext(ctx).Save(&b).Error
	}},
	{"Replace Dune's tags with classic, space opera", nil, func(ctx context.Context, db *gorm.DB, s *state) error {
		var classic shop.Tag
		if err := db.WithContext(ctx).Where("name = ?", "classic").First(&classic).Error; err != nil {
			return err
		}
		return db.WithContext(ctx).Model(&s.dune).Association("Tags").Replace(&classic, &shop.Tag{Name: "space opera"})
	}},
	{"A pre_save receiver refuses a title: nothing is written", shop.ErrForbiddenTitle, func(ctx context.Context, db *gorm.DB, s *state) error {
		return db.WithContext(ctx).Create(&shop.Book{Title: "Forbidden", AuthorID: s.author.ID}).Error
	}},
	{"Mark every book of the author out of print: one conditional UPDATE", nil, func(ctx context.Context, db *gorm.DB, s *state) error {
		return db.WithContext(ctx).Model(&shop.Book{}).Where("author_id = ?", s.author.ID).Update("in_print", false).Error
	}},
	{"Delete the author: the cascade sends pre_delete/post_delete for every object", nil, func(ctx context.Context, db *gorm.DB, s *state) error {
		return db.WithContext(ctx).Delete(&s.author).Error
	}},
}

// runScenario runs the scripted scenario on a new bookstore in dir,
// printing the firing order of every signal and receiver, step by step
// (with verbose, every SQL statement: see printTrace).
func runScenario(ctx context.Context, w io.Writer, dir string, verbose bool) error {
	ctx = signalshttp.WithUser(ctx, "alice")
	fmt.Fprintf(w, "bookstore: a scripted scenario on SQLite (%s)\n", filepath.Join(dir, "bookstore.db"))
	fmt.Fprintf(w, "each step lists what ran: %9s %9s  kind      what  outcome\n\n", "start", "took")

	fmt.Fprintln(w, "== 0. Open the database: connection_created, class_prepared, pre_migrate/post_migrate")
	tctx, tr := signals.StartTrace(ctx, "open")
	app, err := Open(tctx, dir)
	tr.Stop()
	printTrace(w, tr, verbose)
	if err != nil {
		return err
	}
	defer app.Close()

	s := &state{dir: dir, outbox: app.Outbox}
	for i, st := range steps {
		fmt.Fprintf(w, "\n== %d. %s\n", i+1, st.title)
		tctx, tr := signals.StartTrace(ctx, st.title)
		err := st.run(tctx, app.DB, s)
		tr.Stop()
		printTrace(w, tr, verbose)
		switch {
		case st.expectErr != nil && errors.Is(err, st.expectErr):
			fmt.Fprintf(w, "  → refused as expected: %v\n", st.expectErr)
		case err != nil:
			return fmt.Errorf("step %d (%s): %w", i+1, st.title, err)
		case st.expectErr != nil:
			return fmt.Errorf("step %d (%s): the receiver did not refuse", i+1, st.title)
		}
	}
	return summary(w, app)
}

func summary(w io.Writer, app *App) error {
	db := app.DB
	var notes []shop.Notification
	var mails []shop.Email
	var audit []shop.AuditLog
	var tags []shop.Tag
	var books, comments int64
	if err := errors.Join(db.Find(&notes).Error, db.Find(&mails).Error, db.Order("id").Find(&audit).Error, db.Order("name").Find(&tags).Error,
		db.Model(&shop.Book{}).Count(&books).Error, db.Model(&shop.Comment{}).Count(&comments).Error); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n== What the receivers did")
	for _, n := range notes {
		fmt.Fprintf(w, "  notification: %s\n", n.Message)
	}
	for _, m := range mails {
		fmt.Fprintf(w, "  e-mail to %s: %s\n", m.To, m.Subject)
	}
	for _, a := range audit {
		fmt.Fprintf(w, "  audit: %-6s %-8s %-16s %s\n", a.User, a.Action, a.Object, a.Changes)
	}
	for _, t := range tags {
		fmt.Fprintf(w, "  tag %-12q used by %d book(s)\n", t.Name, t.Uses)
	}
	_, err := os.Stat(filepath.Join(app.Dir, "dune-cover.jpg"))
	fmt.Fprintf(w, "  cover file removed: %v\n", errors.Is(err, os.ErrNotExist))
	fmt.Fprintf(w, "  books left: %d, comments left: %d\n", books, comments)
	fmt.Fprintf(w, "  catalog cache invalidated after commit: %d times\n", app.Receivers.Catalog.Invalidations.Load())
	fmt.Fprintf(w, "  models announced by class_prepared: %s\n", strings.Join(app.Receivers.Models, ", "))
	return nil
}
