package shop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
	"github.com/gosignals/signals/signalshttp"
)

// ErrForbiddenTitle is what the title check answers for a forbidden title.
var ErrForbiddenTitle = errors.New("this title is not allowed here")

// Catalog is a cache of the catalog page, invalidated after each commit
// that changes a book (never before: a reader would see the old data cached
// again until the next change).
type Catalog struct {
	Invalidations atomic.Int64
}

// Receivers are the bookstore's signal receivers.
type Receivers struct {
	Catalog *Catalog
	// Models lists the models class_prepared announced.
	Models []string
	// DB is the database of the receivers of signals sent outside a
	// statement (post_migrate, the durable receiver): set it once the
	// database is open.
	DB      *gorm.DB
	handles []disconnecter
}

// WelcomeEmail is the durable receiver's name: the routing and idempotency
// key of its events in the outbox.
const WelcomeEmail = "bookstore.welcome_email"

// A disconnecter is what connecting a receiver returns.
type disconnecter interface{ Disconnect() bool }

// Connect connects every receiver; Disconnect undoes it.
func (r *Receivers) Connect() {
	r.handles = append(r.handles,
		// A durable post_save receiver: the welcome e-mail of a new author
		// is written to the outbox in the save's transaction and sent by a
		// worker after the commit, at least once (where a Django project
		// hands the e-mail to Celery).
		signalsgorm.DurablePostSave(WelcomeEmail, r.welcomeEmail),
		// connection_created: session set-up on every new SQLite connection.
		modelsignals.ConnectionCreated.ConnectFunc(sqlitePragmas, signals.Name("sqlite pragmas")),
		modelsignals.OnPreSave(defaultTitle, signals.Name("default title")),
		modelsignals.OnPostSave(notifyNewBook, signals.Name("notify new book")),
		modelsignals.PostSave.ConnectFunc(auditSave, signals.Name("audit log")),
		modelsignals.PostUpdate.ConnectFunc(auditUpdate, signals.Name("audit bulk update")),
		// post_delete for every model: deletions are audited, cascaded ones
		// included (which makes the collector read those rows).
		modelsignals.PostDelete.ConnectFunc(func(ctx context.Context, ev modelsignals.DeleteEvent) error {
			return audit(ctx, "deleted", ev.Model.Label, "origin "+labelOf(ev.Origin))
		}, signals.Name("audit delete")),
		// class_prepared: the models the plugin learns, for an admin index.
		modelsignals.ClassPrepared.ConnectFunc(func(ctx context.Context, ev modelsignals.ClassPreparedEvent) error {
			r.Models = append(r.Models, ev.Model.Label)
			return nil
		}, signals.Name("admin index")),
		modelsignals.PostMigrate.ConnectFunc(r.seedTags, signals.Name("seed default tags")),
		modelsignals.M2MChanged.ConnectFunc(tagCounters, signals.Name("tag counters")),
		modelsignals.OnPreDelete(untagDeletedBook, signals.Name("untag deleted book")),
		modelsignals.OnPostDelete(removeCover, signals.Name("remove cover file")),
		// After commit: invalidate the catalog cache, only once the change
		// is visible to other connections, and never for a rolled-back one.
		signalsgorm.AfterCommit(modelsignals.OnPostSave[Book], func(ctx context.Context, ev modelsignals.Save[Book]) error {
			r.Catalog.Invalidations.Add(1)
			return nil
		}, signals.Name("invalidate catalog cache")),
		signalsgorm.AfterCommit(modelsignals.OnPostDelete[Book], func(ctx context.Context, ev modelsignals.Delete[Book]) error {
			r.Catalog.Invalidations.Add(1)
			return nil
		}, signals.Name("invalidate catalog cache")),
	)
}

// welcomeEmail sends a new author's welcome e-mail; Once makes the e-mail
// row exactly once despite redelivery.
func (r *Receivers) welcomeEmail(ctx context.Context, ev outbox.Event[Author]) error {
	if !ev.Created || ev.Instance.Email == "" {
		return nil
	}
	_, err := outboxgorm.Once(ctx, r.DB, func(tx *gorm.DB) error {
		return tx.Create(&Email{To: ev.Instance.Email, Subject: "Welcome to the bookstore, " + ev.Instance.Name}).Error
	})
	return err
}

func sqlitePragmas(ctx context.Context, ev modelsignals.ConnectionEvent) error {
	return ev.Exec(ctx, "PRAGMA foreign_keys = ON")
}

// defaultTitle is a pre_save receiver: a book without a title is
// "Untitled"; some titles are refused, which stops the save before
// anything is written.
func defaultTitle(ctx context.Context, ev modelsignals.Save[Book]) error {
	if strings.TrimSpace(ev.Instance.Title) == "" {
		ev.Instance.Title = "Untitled"
	}
	if strings.EqualFold(ev.Instance.Title, "forbidden") {
		return ErrForbiddenTitle
	}
	return nil
}

// notifyNewBook is a post_save receiver: a notification when a book is
// added, written in the same transaction.
func notifyNewBook(ctx context.Context, ev modelsignals.Save[Book]) error {
	if !ev.Created {
		return nil
	}
	return signalsgorm.DB(ctx, nil).Create(&Notification{
		Message: fmt.Sprintf("A book titled %q was added.", ev.Instance.Title),
	}).Error
}

// auditSave is a post_save receiver for every model: the audit log records
// who changed which fields, from what to what (the user comes from the
// HTTP request, or the scenario's context).
func auditSave(ctx context.Context, ev modelsignals.SaveEvent) error {
	switch ev.Instance.(type) {
	case *AuditLog, *Notification, *Tag, *Comment:
		return nil
	}
	action := "changed"
	if ev.Created {
		action = "created"
	}
	var changes []string
	for _, c := range ev.Changes {
		switch {
		case c.Field == "UpdatedAt":
		case ev.Created:
			changes = append(changes, c.Field)
		default:
			changes = append(changes, fmt.Sprintf("%s: %v → %v", c.Field, c.Old, c.New))
		}
	}
	return audit(ctx, action, ev.Model.Label, strings.Join(changes, "; "))
}

// auditUpdate is a post_update receiver: conditional updates, which Django
// never signals, are audited too, with the keys of the rows they changed.
func auditUpdate(ctx context.Context, ev modelsignals.UpdateEvent) error {
	if _, ok := ev.Values["Uses"]; ok {
		return nil // the tag counters' own updates
	}
	return audit(ctx, "updated", ev.Model.Label, fmt.Sprintf("%v of %d row(s) %v", ev.Values, ev.RowsAffected, ev.PKs))
}

// seedTags is a post_migrate receiver seeding the default tags, Django's
// classic use of it.
func (r *Receivers) seedTags(ctx context.Context, ev modelsignals.MigrateEvent) error {
	for _, name := range []string{"sf", "classic"} {
		if err := signalsgorm.DB(ctx, r.DB).Where(Tag{Name: name}).FirstOrCreate(&Tag{}).Error; err != nil {
			return err
		}
	}
	return nil
}

// tagCounters is an m2m_changed receiver keeping each tag's usage counter
// right.
func tagCounters(ctx context.Context, ev modelsignals.M2MEvent) error {
	if signals.TraceFrom(ctx) != nil { // the trace shows what the receiver was sent
		signals.SetStepDetail(ctx, m2mDetail(ev))
	}
	if _, ok := ev.Instance.(*Book); !ok {
		return nil
	}
	switch ev.Action {
	case modelsignals.PostAdd:
		return bumpTags(ctx, ev.PKSet, +1)
	case modelsignals.PostRemove: // Removed: the keys given that were linked
		return bumpTags(ctx, ev.Removed, -1)
	case modelsignals.PreClear:
		return bumpTags(ctx, ev.Removed, -1)
	}
	return nil
}

// m2mDetail describes an m2m_changed event as Django's receivers see it:
// the action and pk_set ("post_add pk_set=[1 2]"), and for a clear the keys
// it unlinks.
func m2mDetail(ev modelsignals.M2MEvent) string {
	if ev.PKSet == nil {
		return fmt.Sprintf("%s removed=%v", ev.Action, ev.Removed)
	}
	return fmt.Sprintf("%s pk_set=%v", ev.Action, ev.PKSet)
}

// untagDeletedBook is a pre_delete receiver: a deleted book's links vanish
// with it, with no m2m_changed (as in Django), so the counters are fixed
// here.
func untagDeletedBook(ctx context.Context, ev modelsignals.Delete[Book]) error {
	var tags []Tag
	if err := signalsgorm.DB(ctx, nil).Model(ev.Instance).Association("Tags").Find(&tags); err != nil {
		return err
	}
	ids := make([]any, len(tags))
	for i, t := range tags {
		ids[i] = t.ID
	}
	return bumpTags(ctx, ids, -1)
}

// removeCover is a post_delete receiver removing the cover file, for every
// book a cascade deletes too.
func removeCover(ctx context.Context, ev modelsignals.Delete[Book]) error {
	if ev.Instance.CoverPath == "" {
		return nil
	}
	if err := os.Remove(ev.Instance.CoverPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Disconnect disconnects every receiver Connect connected.
func (r *Receivers) Disconnect() {
	for _, h := range r.handles {
		h.Disconnect()
	}
	r.handles = nil
}

// audit writes an audit log entry in the transaction of ctx; the user
// comes from the HTTP request (or the scenario's context).
func audit(ctx context.Context, action, object, changes string) error {
	user, ok := signalshttp.UserFrom[string](ctx)
	if !ok {
		user = "system"
	}
	return signalsgorm.DB(ctx, nil).Create(&AuditLog{User: user, Action: action, Object: object, Changes: changes, At: time.Now()}).Error
}

// labelOf returns the model label of v ("bookstore.Author"), or "none".
func labelOf(v any) string {
	if v == nil {
		return "none"
	}
	return modelsignals.LabelOf(reflect.TypeOf(v))
}

func bumpTags(ctx context.Context, ids []any, by int) error {
	if len(ids) == 0 {
		return nil
	}
	return signalsgorm.DB(ctx, nil).Model(&Tag{}).Where("id IN ?", ids).
		UpdateColumn("uses", gorm.Expr("uses + ?", by)).Error
}
