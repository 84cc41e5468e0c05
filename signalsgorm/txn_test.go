package signalsgorm

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/internal/txpool"
)

// Statements in a transaction, nested ones included, find the plugin's
// transaction, with its identity, its event sequence and its callbacks
// after the outermost commit.
func TestTransactionOf(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	if err := db.Use(New()); err != nil {
		t.Fatal(err)
	}
	if tx, inTx := transactionOf(db); tx != nil || inTx {
		t.Fatal("the root *gorm.DB is in a transaction")
	}
	var ids []uint64
	var ran []uint64
	for range 2 {
		err := db.Transaction(func(tx *gorm.DB) error {
			t1, inTx := transactionOf(tx)
			if t1 == nil || !inTx {
				t.Fatal("no transaction in Transaction")
			}
			ids = append(ids, t1.ID())
			return tx.Transaction(func(tx *gorm.DB) error {
				t2, _ := transactionOf(tx)
				if t2 != t1 {
					t.Error("a nested Transaction has another identity")
				}
				if a, b := t1.Next(), t2.Next(); a != 1 || b != 2 {
					t.Errorf("sequence %d, %d; want 1, 2", a, b)
				}
				id := t1.ID()
				if st := t2.Add(&callback{fn: func(context.Context) error { ran = append(ran, id); return nil }, ctx: context.Background()}); st != txpool.Open {
					t.Errorf("add: %v", st)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if ids[0] == ids[1] || len(ran) != 2 || ran[0] != ids[0] || ran[1] != ids[1] {
		t.Fatalf("ids %v, callbacks ran for %v", ids, ran)
	}
}
