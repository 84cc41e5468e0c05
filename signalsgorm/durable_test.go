package signalsgorm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// A rollback leaves no outbox row and delivers nothing; a commit delivers
// the typed instance once.
func TestDurableRollbackDeliversNothing(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.rollback." + dialect
		db, ob := openOutbox(t, dialect, nil, []string{name})
		var got sink[Account]
		h := signalsgorm.DurablePostSave(name, got.Receive)
		durable(t, h)

		boom := errors.New("boom")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&Account{Email: "rolled@back"}).Error; err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if n := outboxRows(t, db); n != 0 {
			t.Fatalf("a rollback left %d outbox rows", n)
		}
		if n := runOnce(t, ob); n != 0 || len(got.All()) != 0 {
			t.Fatalf("delivered %d after a rollback", n)
		}

		// A savepoint rolled back drops its event, the outer one stays.
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&Account{Email: "kept@x", Password: "secret"}).Error; err != nil {
				return err
			}
			_ = tx.Transaction(func(tx2 *gorm.DB) error {
				if err := tx2.Create(&Account{Email: "inner@x"}).Error; err != nil {
					return err
				}
				return boom
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := runOnce(t, ob); n != 1 {
			t.Fatalf("delivered %d, want 1", n)
		}
		evs := got.All()
		if len(evs) != 1 || evs[0].Instance.Email != "kept@x" || !evs[0].Created || evs[0].Instance.Password != "" {
			t.Fatalf("got %+v", evs)
		}
		if strings.Contains(string(evs[0].Envelope.Instance), "secret") {
			t.Fatalf("a signals:\"-\" field reached the outbox: %s", evs[0].Envelope.Instance)
		}
		if runOnce(t, ob) != 0 {
			t.Fatal("delivered twice")
		}
	})
}

// With SkipDefaultTransaction a durable model's write still commits with
// its outbox row: the plugin opens a transaction, and a failure after the
// outbox write undoes both.
func TestDurableSkipDefaultTransaction(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.skiptx." + dialect
		cfg := &gorm.Config{SkipDefaultTransaction: true, Logger: logger.Discard}
		db, ob := openOutbox(t, dialect, cfg, []string{name})
		var got sink[Account]
		h := signalsgorm.DurablePostSave(name, got.Receive)
		durable(t, h)
		fail := errors.New("after the outbox")
		connect(t, modelsignals.PostSave, func(_ context.Context, ev modelsignals.SaveEvent) error {
			if a, ok := ev.Instance.(*Account); ok && a.Email == "fail" {
				return fail
			}
			return nil
		})
		if err := db.Create(&Account{Email: "fail"}).Error; !errors.Is(err, fail) {
			t.Fatalf("create: %v", err)
		}
		if n := count(t, db, &Account{}); n != 0 {
			t.Fatalf("the failed write left %d accounts", n)
		}
		if n := outboxRows(t, db); n != 0 {
			t.Fatalf("the failed write left %d outbox rows", n)
		}
		a := Account{Email: "ok"}
		if err := db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		if _, in := signalsgorm.TxID(db); in {
			t.Fatal("the session stayed in a transaction")
		}
		if err := db.Model(&a).Update("Visits", 3).Error; err != nil {
			t.Fatal(err)
		}
		if n := runOnce(t, ob); n != 2 {
			t.Fatalf("delivered %d, want 2", n)
		}
		evs := got.All()
		if !evs[0].Created || evs[1].Created || evs[1].Instance.Visits != 3 || fmt.Sprint(evs[1].UpdateFields) != "[Visits]" {
			t.Fatalf("events: %+v", evs)
		}

		// A delete too: its post_delete event commits with it.
		delName := name + ".delete"
		var deleted sink[Account]
		h2 := signalsgorm.DurablePostDelete(delName, deleted.Receive)
		durable(t, h2)
		if err := db.Delete(&a).Error; err != nil {
			t.Fatal(err)
		}
		ob2, err := outboxgorm.New(db, outboxgorm.Config{Receivers: []string{delName}})
		if err != nil {
			t.Fatal(err)
		}
		if n := runOnce(t, ob2); n != 1 || deleted.All()[0].Instance.Email != "ok" {
			t.Fatalf("post_delete: delivered %d: %+v", n, deleted.All())
		}
	})
}

// The envelope carries what the issue lists: key, changes (with tracking),
// update_fields, transaction and sequence, correlation ID.
func TestDurableEnvelope(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.envelope." + dialect
		db, ob := openOutbox(t, dialect, nil, []string{name}, signalsgorm.TrackChanges(&Account{}))
		var got sink[Account]
		h := signalsgorm.DurablePostSave(name, got.Receive)
		durable(t, h)
		ctx := outbox.WithCorrelationID(context.Background(), "req-7")
		a := Account{Email: "a@x", Password: "p1"}
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&a).Error; err != nil {
				return err
			}
			a.Visits, a.Password = 2, "p2"
			return tx.Save(&a).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		runOnce(t, ob)
		evs := got.All()
		if len(evs) != 2 {
			t.Fatalf("%d events", len(evs))
		}
		e0, e1 := evs[0], evs[1]
		if e0.Model != "signalsgorm_test.Account" || e0.Table != "accounts" || e0.PK != fmt.Sprint(a.ID) || e0.Using != "default" {
			t.Fatalf("envelope: %+v", e0.Envelope)
		}
		if e0.Tx == "" || e0.Tx != e1.Tx || e0.Seq != 1 || e1.Seq != 2 || e0.ID == e1.ID || e0.CorrelationID != "req-7" {
			t.Fatalf("tx/seq/id: %s/%d/%s, %s/%d/%s", e0.Tx, e0.Seq, e0.ID, e1.Tx, e1.Seq, e1.ID)
		}
		ch, ok := e1.Changed["Visits"]
		if !ok || string(ch.Old) != "0" || string(ch.New) != "2" {
			t.Fatalf("changed: %v", e1.Changed)
		}
		if _, ok := e1.Changed["Password"]; ok {
			t.Fatal("the change of a hidden field was sent")
		}
		if e1.Delivery.Receiver != name || e1.Delivery.Attempt != 1 {
			t.Fatalf("delivery: %+v", e1.Delivery)
		}
	})
}

// Introspection shows the durable receiver under its name, mode and
// function; a wrong registration panics and registers nothing.
func TestDurableIntrospectionAndRegistrationPanics(t *testing.T) {
	var got sink[Account]
	h := signalsgorm.DurablePostSave("test.introspect", got.Receive)
	durable(t, h)
	info := h.Info()
	if info.Mode != signalsgorm.ModeDurable || info.Name != "test.introspect" || !strings.Contains(info.Func, "Sink[") ||
		!strings.HasSuffix(info.File, "durable_test.go") {
		t.Fatalf("info: %+v", info)
	}
	found := false
	for _, r := range modelsignals.PostSave.Receivers() {
		found = found || r.Name == "test.introspect" && r.Mode == "durable"
	}
	if !found {
		t.Fatal("not listed by PostSave.Receivers")
	}
	// Programmer errors panic, with an error that names the function.
	if err := panicOf(func() { signalsgorm.DurablePostSave("test.introspect", got.Receive) }); !errors.Is(err, outbox.ErrDuplicateReceiver) ||
		!strings.HasPrefix(err.Error(), "signalsgorm: DurablePostSave: ") {
		t.Fatalf("duplicate name: %v", err)
	}
	if err := panicOf(func() { signalsgorm.DurablePostSave("bad name", got.Receive) }); !errors.Is(err, outbox.ErrInvalidReceiver) {
		t.Fatalf("bad name: %v", err)
	}
	if err := panicOf(func() { signalsgorm.DurablePostDelete[Account]("test.nil", nil) }); !errors.Is(err, signals.ErrNilReceiver) {
		t.Fatalf("nil function: %v", err)
	}
	if err := panicOf(func() {
		signalsgorm.DurableM2MChanged("test.pointer", func(context.Context, outbox.Event[*Account]) error { return nil })
	}); !errors.Is(err, modelsignals.ErrNotModel) {
		t.Fatalf("pointer model: %v", err)
	}
	// A refused option leaves the name free.
	if err := panicOf(func() { signalsgorm.DurablePostSave("test.badopt", got.Receive, nil) }); err == nil {
		t.Fatal("a nil option was accepted")
	}
	if _, ok := outbox.DefaultRegistry.Lookup("test.badopt"); ok {
		t.Fatal("a refused connection left its name registered")
	}
	h.Disconnect()
	if _, ok := outbox.DefaultRegistry.Lookup("test.introspect"); ok {
		t.Fatal("Disconnect left the receiver registered")
	}
}

// A signal sent by hand outside a transaction is refused.
func TestDurableRefusesOutsideTransaction(t *testing.T) {
	db := open(t, "sqlite")
	var got sink[Account]
	h := signalsgorm.DurablePostDelete("test.refuse", got.Receive)
	durable(t, h)
	ctx := signalsgorm.NewContext(context.Background(), db)
	err := modelsignals.PostDelete.Send(ctx, reflect.TypeFor[Account](), modelsignals.DeleteEvent{Instance: &Account{ID: 1}})
	if !errors.Is(err, signalsgorm.ErrNotAtomic) {
		t.Fatalf("got %v", err)
	}
}

func TestDurablePostDeleteAndM2M(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		del, m2m := "test.delete."+dialect, "test.m2m."+dialect
		db, ob := openOutbox(t, dialect, nil, []string{del, m2m})
		var deleted sink[Account]
		var linked sink[Book]
		h := signalsgorm.DurablePostDelete(del, deleted.Receive)
		durable(t, h)
		h2 := signalsgorm.DurableM2MChanged(m2m, linked.Receive)
		durable(t, h2)
		a := Account{Email: "gone@x"}
		b := Book{Title: "Go"}
		tags := []Tag{{Name: "x"}, {Name: "y"}}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&a).Error; err != nil {
				return err
			}
			if err := tx.Create(&b).Error; err != nil {
				return err
			}
			if err := tx.Model(&b).Association("Tags").Append(&tags); err != nil {
				return err
			}
			return tx.Delete(&a).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		runOnce(t, ob)
		d := deleted.All()
		if len(d) != 1 || d[0].Signal != "post_delete" || d[0].Instance.Email != "gone@x" || d[0].PK != fmt.Sprint(a.ID) {
			t.Fatalf("post_delete: %+v", d)
		}
		l := linked.All()
		if len(l) != 1 || l[0].Action != "post_add" || l[0].Field != "Tags" || l[0].Instance.Title != "Go" {
			t.Fatalf("m2m: %+v", l)
		}
		var keys []uint
		if err := json.Unmarshal(l[0].PKSet, &keys); err != nil || len(keys) != 2 || keys[0] != tags[0].ID {
			t.Fatalf("pk_set %s: %v", l[0].PKSet, err)
		}
	})
}

// NotifyOutbox signals each commit that wrote durable events, and only
// those, until stopped.
func TestDurableNotifyOutbox(t *testing.T) {
	db := open(t, "sqlite")
	if err := db.AutoMigrate(&Account{}); err != nil {
		t.Fatal(err)
	}
	ob, err := outboxgorm.New(db, outboxgorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	durable(t, signalsgorm.DurablePostSave("test.notify", func(context.Context, outbox.Event[Account]) error { return nil }))
	c := make(chan struct{}, 1)
	stop := signalsgorm.From(db).NotifyOutbox(c)
	woken := func() bool {
		select {
		case <-c:
			return true
		default:
			return false
		}
	}
	if err := db.Create(&Tag{Name: "no durable receiver"}).Error; err != nil || woken() {
		t.Fatalf("a commit without durable events notified (%v)", err)
	}
	if err := db.Create(&Account{Email: "n@x"}).Error; err != nil || !woken() {
		t.Fatalf("the commit of a durable event did not notify (%v)", err)
	}
	stop()
	if err := db.Create(&Account{Email: "m@x"}).Error; err != nil || woken() {
		t.Fatalf("notified after stop (%v)", err)
	}
}
