package signalsgorm_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// tableStore is an outbox.BatchStore that writes its records to a table of
// the application's database, one multi-row INSERT per transaction: the
// shape of a store such as signalsriver's (River's InsertManyTx).
type tableStore struct {
	dollar           bool // PostgreSQL's $n placeholders
	appends, batches atomic.Int64
	fail             atomic.Bool
}

type batchRecord struct {
	ID       uint
	EventID  string
	Receiver string
	Topic    string
}

func (s *tableStore) PerReceiver() bool { return true }

func (s *tableStore) Append(ctx context.Context, tx outbox.Execer, m *outbox.Message) error {
	s.appends.Add(1)
	return s.AppendBatch(ctx, tx, []*outbox.Message{m})
}

func (s *tableStore) AppendBatch(ctx context.Context, tx outbox.Execer, ms []*outbox.Message) error {
	s.batches.Add(1)
	if s.fail.Load() {
		return errors.New("store refused")
	}
	var q strings.Builder
	q.WriteString("INSERT INTO batch_records (event_id, receiver, topic) VALUES ")
	args := make([]any, 0, 3*len(ms))
	for i, m := range ms {
		if i > 0 {
			q.WriteString(", ")
		}
		if s.dollar {
			n := len(args)
			q.WriteString("($" + strconv.Itoa(n+1) + ", $" + strconv.Itoa(n+2) + ", $" + strconv.Itoa(n+3) + ")")
		} else {
			q.WriteString("(?, ?, ?)")
		}
		args = append(args, m.Envelope.ID, m.Receiver, m.Topic)
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// The records of a BatchStore are written together just before the
// commit, in the order the events were sent: one AppendBatch per
// transaction, none after a rollback, a savepoint's dropped with it, and
// an error of the store fails the commit.
func TestBatchStoreWritesATransactionsRecordsAtCommit(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		store := &tableStore{dollar: dialect == "postgres"}
		db := openConfig(t, dialect, dbtest.Config(), signalsgorm.WithOutbox(store))
		if err := db.AutoMigrate(&Account{}, &batchRecord{}); err != nil {
			t.Fatal(err)
		}
		name := "test.batch." + dialect
		h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[Account]) error { return nil })
		durable(t, h)
		records := func() []batchRecord {
			var rs []batchRecord
			if err := db.Order("id").Find(&rs).Error; err != nil {
				t.Fatal(err)
			}
			return rs
		}

		// Three saves and a savepoint rolled back: one batch of three.
		boom := errors.New("boom")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&[]Account{{Email: "a@x"}, {Email: "b@x"}}).Error; err != nil {
				return err
			}
			_ = tx.Transaction(func(tx2 *gorm.DB) error {
				if err := tx2.Create(&Account{Email: "inner@x"}).Error; err != nil {
					return err
				}
				if n := len(records()); n != 0 {
					t.Errorf("%d records written before the commit", n)
				}
				return boom
			})
			return tx.Create(&Account{Email: "c@x"}).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		rs := records()
		if len(rs) != 3 || store.batches.Load() != 1 || store.appends.Load() != 0 {
			t.Fatalf("%d records in %d batches and %d appends, want 3 in 1 and none", len(rs), store.batches.Load(), store.appends.Load())
		}
		for i, r := range rs { // event IDs are UUIDv7, increasing in the order the events were sent
			if r.Receiver != name || r.Topic == "" || i > 0 && r.EventID <= rs[i-1].EventID {
				t.Fatalf("records %+v", rs)
			}
		}

		// A rollback writes nothing.
		_ = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&Account{Email: "gone@x"}).Error; err != nil {
				return err
			}
			return boom
		})
		if n := len(records()); n != 3 || store.batches.Load() != 1 {
			t.Fatalf("%d records in %d batches after a rollback", n, store.batches.Load())
		}

		// The store's error fails the commit: the account is not saved.
		store.fail.Store(true)
		err = db.Create(&Account{Email: "refused@x"}).Error
		if err == nil || !strings.Contains(err.Error(), "store refused") {
			t.Fatalf("Create = %v, want the store's error", err)
		}
		var n int64
		db.Model(&Account{}).Where("email = ?", "refused@x").Count(&n)
		if n != 0 {
			t.Fatal("the account of a failed batch was saved")
		}
	})
}
