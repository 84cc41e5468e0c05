package signalsgorm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
)

// A durable receiver with a condition writes an outbox row only for the
// events the condition accepts: a create and an update with Created write
// one row, and a custom condition sees the typed event.
func TestDurablePostSaveIfWritesOnlyAcceptedEvents(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		created, rich := "test.cond.created."+dialect, "test.cond.rich."+dialect
		db, ob := openOutbox(t, dialect, nil, []string{created, rich})
		var gotCreated, gotRich sink[Account]
		durable(t, signalsgorm.DurablePostSaveIf(created, signalsgorm.Created, gotCreated.Receive))
		durable(t, signalsgorm.DurablePostSaveIf(rich, func(ev modelsignals.Save[Account]) bool {
			return ev.Instance.Visits >= 10
		}, gotRich.Receive))

		a := Account{Email: "ada@x"}
		if err := db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		if n := outboxRows(t, db); n != 1 {
			t.Fatalf("after the create: %d outbox rows, want 1 (created only)", n)
		}
		if err := db.Model(&a).Update("Visits", 3).Error; err != nil {
			t.Fatal(err)
		}
		if n := outboxRows(t, db); n != 1 {
			t.Fatalf("after an update no condition accepts: %d outbox rows, want 1", n)
		}
		if err := db.Model(&a).Update("Visits", 12).Error; err != nil {
			t.Fatal(err)
		}
		if n := outboxRows(t, db); n != 2 {
			t.Fatalf("after an update the second condition accepts: %d outbox rows, want 2", n)
		}
		if n := runOnce(t, ob); n != 2 {
			t.Fatalf("delivered %d, want 2", n)
		}
		c, r := gotCreated.All(), gotRich.All()
		if len(c) != 1 || !c[0].Created || c[0].Instance.Email != "ada@x" {
			t.Fatalf("created-only receiver got %+v", c)
		}
		if len(r) != 1 || r[0].Created || r[0].Instance.Visits != 12 {
			t.Fatalf("conditional receiver got %+v", r)
		}
	})
}

// A condition sees the typed event as inline receivers do, changes
// included: with change tracking, an event written only when the e-mail
// changed; a rollback of an accepted event leaves no row either.
func TestDurablePostSaveIfOnChanges(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.cond.changes." + dialect
		db, ob := openOutbox(t, dialect, nil, []string{name}, signalsgorm.TrackChanges(&Account{}))
		var got sink[Account]
		durable(t, signalsgorm.DurablePostSaveIf(name, func(ev modelsignals.Save[Account]) bool {
			return !ev.Created && ev.Changes.Has("Email")
		}, got.Receive))

		a := Account{Email: "old@x"}
		if err := db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&a).Update("Visits", 1).Error; err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Model(&a).Update("Email", "rolled@x").Error; err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if n := outboxRows(t, db); n != 0 {
			t.Fatalf("%d outbox rows before any committed e-mail change, want 0", n)
		}
		var b Account
		if err := db.First(&b, a.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&b).Update("Email", "new@x").Error; err != nil {
			t.Fatal(err)
		}
		if n := outboxRows(t, db); n != 1 {
			t.Fatalf("%d outbox rows after the e-mail change, want 1", n)
		}
		if n := runOnce(t, ob); n != 1 {
			t.Fatalf("delivered %d, want 1", n)
		}
		if evs := got.All(); len(evs) != 1 || evs[0].Instance.Email != "new@x" {
			t.Fatalf("got %+v", evs)
		}
	})
}

// A nil condition is a programmer error: DurablePostSaveIf panics, and the
// name stays free.
func TestDurablePostSaveIfNilCondition(t *testing.T) {
	fn := func(context.Context, outbox.Event[Account]) error { return nil }
	err := panicOf(func() { signalsgorm.DurablePostSaveIf[Account]("test.cond.nil", nil, fn) })
	if !errors.Is(err, signals.ErrNilReceiver) || !strings.Contains(err.Error(), "nil condition") {
		t.Fatalf("panic = %v", err)
	}
	h := signalsgorm.DurablePostSaveIf("test.cond.nil", signalsgorm.Created, fn)
	defer h.Disconnect()
	if info := h.Info(); info.Mode != signalsgorm.ModeDurable || !strings.HasSuffix(info.File, "durable_cond_test.go") {
		t.Fatalf("info = %+v", info)
	}
}
