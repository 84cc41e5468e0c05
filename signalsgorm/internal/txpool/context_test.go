package txpool

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

type otherKey struct{}

// The innermost context of NewContext or Detach decides what a context
// carries; other keys reach the parent.
func TestContextValue(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	p := Install(db, func([]Item) error { return nil })
	base := context.WithValue(context.Background(), otherKey{}, "v")
	err := db.Transaction(func(tx *gorm.DB) error {
		t1, _ := Of(tx)
		ctx := NewContext(base, tx)
		if got, _ := ctx.Value(DBKey{}).(*gorm.DB); got != tx {
			t.Error("NewContext does not carry its *gorm.DB")
		}
		if ctx.Value(otherKey{}) != "v" {
			t.Error("NewContext hides its parent's values")
		}
		if j, err := p.Joined(ctx); j != t1 || err != nil {
			t.Errorf("Joined = %v, %v; want the transaction", j, err)
		}
		d := Detach(ctx)
		if _, ok := d.Value(DBKey{}).(*gorm.DB); ok {
			t.Error("a detached context carries a *gorm.DB")
		}
		if j, _ := p.Joined(d); j != nil || d.Value(otherKey{}) != "v" {
			t.Error("a detached context joins, or lost its parent's values")
		}
		if j, _ := p.Joined(NewContext(d, tx)); j != t1 {
			t.Error("a statement's context inside a detached one does not join")
		}
		if j, _ := p.Joined(NewContext(ctx, db)); j != nil {
			t.Error("the context of a statement outside a transaction joins the one around it")
		}
		if j, _ := p.Joined(base); j != nil {
			t.Error("a plain context joins")
		}
		other := Install(dbtest.Open(t, "sqlite"), nil)
		if j, _ := other.Joined(ctx); j != nil {
			t.Error("a context joins a transaction of another pool")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A transaction begun with the context of an open one is a savepoint of
// it: Of finds the outer transaction, a rollback drops the items queued
// since, a commit keeps them; after the outer transaction ended, the
// context is refused.
func TestNested(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	var ran []string
	p := Install(db, func(items []Item) error {
		ran = append(ran, names(items)...)
		return nil
	})
	var ctx context.Context
	err := db.Transaction(func(tx *gorm.DB) error {
		outer, _ := Of(tx)
		ctx = NewContext(context.Background(), tx)
		outer.Add(&item{name: "before"})
		for _, commit := range []bool{false, true} {
			cp, err := p.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			n, ok := cp.(*Nested)
			if !ok {
				t.Fatalf("BeginTx = %T, want *Nested", cp)
			}
			if got, inTx := Of(&gorm.DB{Statement: &gorm.Statement{ConnPool: cp}}); got != outer || !inTx {
				t.Error("Of(Nested) is not the outer transaction")
			}
			outer.Add(&item{name: map[bool]string{false: "rolled back", true: "released"}[commit]})
			end := n.Rollback
			if commit {
				end = n.Commit
			}
			if err := end(); err != nil {
				return err
			}
			if err := end(); !errors.Is(err, sql.ErrTxDone) {
				t.Errorf("a second end = %v, want sql.ErrTxDone", err)
			}
		}
		if _, err := p.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable}); err == nil {
			t.Error("a nested transaction with an isolation level was begun")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, "committed", ran, []string{"before", "released"})
	var ended *EndedError
	if _, err := p.Joined(ctx); !errors.As(err, &ended) || ended.State != Committed || !errors.Is(err, sql.ErrTxDone) {
		t.Fatalf("Joined after the commit = %v", err)
	}
	if _, err := p.BeginTx(ctx, nil); !errors.Is(err, sql.ErrTxDone) {
		t.Fatalf("BeginTx after the commit = %v", err)
	}
}
