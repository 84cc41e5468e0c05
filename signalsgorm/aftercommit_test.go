package signalsgorm_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// afterCommitTitles connects an after-commit post_save receiver for Book
// that records "title created?" and returns the recorder.
func afterCommitTitles(t *testing.T) *calls {
	t.Helper()
	c := &calls{}
	h := signalsgorm.AfterCommit(modelsignals.OnPostSave, func(ctx context.Context, ev modelsignals.Save[Book]) error {
		c.Add(fmt.Sprintf("%s created=%v", ev.Instance.Title, ev.Created))
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
	return c
}

// An after-commit post_save receiver gets its events when the transaction
// commits, in the order they were sent; never after a rollback, and not
// those sent in a savepoint that was rolled back.
func TestAfterCommitReceiver(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		c := afterCommitTitles(t)
		var inline calls
		connect(t, modelsignals.PostSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
			inline.Add(ev.Instance.(*Book).Title)
			return nil
		}, signals.Sender(reflect.TypeFor[Book]()))

		err := db.Transaction(func(tx *gorm.DB) error {
			b := Book{Title: "Dune"}
			tx.Create(&b)
			tx.Transaction(func(tx *gorm.DB) error {
				tx.Create(&Book{Title: "Rolled back"})
				return errForced
			})
			b.Title = "Dune (2nd ed.)"
			tx.Save(&b)
			inline.check(t, "Dune", "Rolled back", "Dune (2nd ed.)")
			c.check(t) // nothing before the commit
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The event keeps a pointer to the instance: both deliveries see
		// the object as it is at commit time.
		c.check(t, "Dune (2nd ed.) created=true", "Dune (2nd ed.) created=false")

		err = db.Transaction(func(tx *gorm.DB) error {
			tx.Create(&Book{Title: "Never"})
			return errForced
		})
		if !errors.Is(err, errForced) {
			t.Fatal(err)
		}
		c.check(t)

		// A write's own transaction: delivered after it commits; not at
		// all when a later receiver fails and rolls it back.
		if err := db.Create(&Book{Title: "Alone"}).Error; err != nil {
			t.Fatal(err)
		}
		c.check(t, "Alone created=true")
		connect(t, modelsignals.PostSave, func(context.Context, modelsignals.SaveEvent) error { return errForced })
		if err := db.Create(&Book{Title: "Failed"}).Error; !errors.Is(err, errForced) {
			t.Fatalf("Create = %v", err)
		}
		c.check(t)
		if n := count(t, db.Where("title = ?", "Failed"), &Book{}); n != 0 {
			t.Fatalf("the failed save left %d rows", n)
		}
	})
}

// Without a transaction (SkipDefaultTransaction) the write is committed as
// it runs, and the receiver is called at once, as Django's on_commit in
// autocommit mode.
func TestAfterCommitWithoutTransaction(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect).Session(&gorm.Session{SkipDefaultTransaction: true})
		c := afterCommitTitles(t)
		var order calls
		connect(t, modelsignals.PostSave, func(context.Context, modelsignals.SaveEvent) error {
			order.Add("inline, after the after-commit receiver")
			c.check(t, "Now created=true")
			return nil
		})
		if err := db.Create(&Book{Title: "Now"}).Error; err != nil {
			t.Fatal(err)
		}
		order.check(t, "inline, after the after-commit receiver")
	})
}

// Introspection shows the delivery mode and the user's function, connected
// where the user connected it; the plain-signal form receives untyped
// events; errors and panics are logged and never reach the sender.
func TestAfterCommitConnect(t *testing.T) {
	db, logs := openSlogged(t, "sqlite")
	var c calls
	h := signalsgorm.AfterCommit(modelsignals.PostSave.ConnectFunc, func(ctx context.Context, ev modelsignals.SaveEvent) error {
		c.Add("any " + ev.Model.Label)
		return errForced
	}, signals.Name("audit"))
	t.Cleanup(func() { h.Disconnect() })
	h2 := signalsgorm.AfterCommit(modelsignals.OnPostSave, recordTag(&c))
	t.Cleanup(func() { h2.Disconnect() })

	info := h2.Info()
	if info.Mode != signalsgorm.ModeAfterCommit || !strings.Contains(info.Func, ".recordTag.func") || !strings.HasSuffix(info.File, "aftercommit_test.go") {
		t.Fatalf("ReceiverInfo = %+v", info)
	}
	if info := h.Info(); info.Name != "audit" || info.Mode != "after_commit" {
		t.Fatalf("ReceiverInfo = %+v", info)
	}

	if err := db.Create(&Tag{Name: "go"}).Error; err != nil {
		t.Fatalf("the receiver's error reached the sender: %v", err)
	}
	c.check(t, "any signalsgorm_test.Tag", "tag go")
	if l := logs.Take(); !strings.Contains(l, "error calling on-commit callback") || !strings.Contains(l, "callback=audit") {
		t.Fatalf("log = %q", l)
	}

	// A nil function is refused as a nil receiver, with a panic.
	err := panicOf(func() { signalsgorm.AfterCommit[modelsignals.Save[Tag]](modelsignals.OnPostSave, nil) })
	if !errors.Is(err, signals.ErrNilReceiver) || !strings.Contains(err.Error(), "signalsgorm: AfterCommit: ") {
		t.Fatalf("nil receiver: %v", err)
	}
}

func recordTag(c *calls) func(context.Context, modelsignals.Save[Tag]) error {
	return func(_ context.Context, ev modelsignals.Save[Tag]) error {
		c.Add("tag " + ev.Instance.Name)
		return nil
	}
}

// A signal of your own, sent inside a transaction with NewContext: its
// after-commit receivers wait for the commit. Without a *gorm.DB in the
// context they refuse the event.
func TestAfterCommitCustomSignal(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db := open(t, dialect)
		paid := signals.New[string]("order_paid")
		var c calls
		signalsgorm.AfterCommit(paid.ConnectFunc, func(ctx context.Context, order string) error {
			c.Add(order)
			// After the commit, DB(ctx, nil) is on the pool, not the
			// finished transaction.
			return signalsgorm.DB(ctx, nil).Create(&Tag{Name: "receipt " + order}).Error
		})
		t.Cleanup(func() { paid.DisconnectAll() })

		err := db.Transaction(func(tx *gorm.DB) error {
			tx.Create(&Tag{Name: "order 1"})
			if err := paid.Send(signalsgorm.NewContext(context.Background(), tx), nil, "1"); err != nil {
				return err
			}
			c.check(t)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		c.check(t, "1")
		checkTags(t, db, "order 1", "receipt 1")

		if err := paid.Send(context.Background(), nil, "2"); !errors.Is(err, signalsgorm.ErrNoDB) {
			t.Fatalf("Send without a *gorm.DB = %v, want ErrNoDB", err)
		}
		c.check(t)
	})
}

// An after-commit receiver's context keeps the chain of saves that sent the
// event, so the recursion guard still stops one that re-saves its instance
// (after a commit, each round would commit and start the next); an
// intended re-save uses AllowResave, as inline receivers do.
func TestAfterCommitRecursionGuard(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		db, logs := openSlogged(t, dialect)
		for _, allow := range []bool{false, true} {
			var c calls
			h := signalsgorm.AfterCommit(modelsignals.OnPostSave, func(ctx context.Context, ev modelsignals.Save[Book]) error {
				c.Add(fmt.Sprintf("pages=%d", ev.Instance.Pages))
				if ev.Instance.Pages != 0 {
					return nil
				}
				if allow {
					ctx = signalsgorm.AllowResave(ctx, 1)
				}
				return signalsgorm.DB(ctx, db).Model(ev.Instance).Update("pages", 1).Error
			})
			if err := db.Create(&Book{Title: "Dune"}).Error; err != nil {
				t.Fatal(err)
			}
			h.Disconnect()
			l := logs.Take()
			if allow {
				c.check(t, "pages=0", "pages=1")
				if l != "" {
					t.Fatalf("log = %q", l)
				}
			} else {
				c.check(t, "pages=0")
				if !strings.Contains(l, "recursive save") {
					t.Fatalf("log = %q, want the recursion guard's error", l)
				}
			}
		}
	})
}
