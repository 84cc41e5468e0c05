package outboxgorm_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// BenchmarkDurableEmbedded measures the embedded outbox end to end on each
// database: saves of 100 accounts per transaction write their events, and
// the in-process worker delivers them to a durable receiver. The
// transactions are made by one goroutine (writers=1) or four at once
// (writers=4), b.N in all; one-save-per-tx saves one account per
// transaction (GORM's default transaction around each Create);
// no-delivery writes as writers=1 does with no worker running, and
// no-outbox with no durable receiver (the ceilings of the writes);
// delivery-only delivers, with RunOnce, what writers=1 wrote before the
// timer started (the ceiling of the deliveries). It reports events/s from the first write to the
// last delivery, events written per second, and the CPU time of this
// process per event (user and system; on PostgreSQL and MariaDB the
// server's own CPU is not in it). The benchmark uses only the outbox's
// public API, so that it runs unchanged on earlier releases for a
// before-and-after comparison (internal/benchdurable.sh).
func BenchmarkDurableEmbedded(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres", "mariadb"} {
		for _, writers := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/writers=%d", dialect, writers), func(b *testing.B) { benchEmbedded(b, dialect, writers, 100, true) })
		}
		b.Run(dialect+"/writers=1/one-save-per-tx", func(b *testing.B) { benchEmbedded(b, dialect, 1, 1, true) })
		b.Run(dialect+"/writers=1/no-delivery", func(b *testing.B) { benchEmbedded(b, dialect, 1, 100, false) })
		b.Run(dialect+"/writers=1/no-outbox", func(b *testing.B) { benchWrites(b, dialect, 100) })
		b.Run(dialect+"/delivery-only", func(b *testing.B) { benchDelivery(b, dialect, 100) })
	}
}

// benchWrites is the floor under benchEmbedded: the same transactions of
// perTx saves, one writer, with the plugin but no durable receiver, so no
// outbox row is written and nothing is delivered.
func benchWrites(b *testing.B, dialect string, perTx int) {
	db := dbtest.Open(b, dialect, dbtest.Use(signalsgorm.New()), dbtest.Migrate(&Account{}))
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 1; i <= b.N; i++ {
		if err := saveAccounts(db, int64(i), perTx); err != nil {
			b.Fatal(err)
		}
	}
	n := int64(b.N) * int64(perTx)
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "written/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(n), "cpu-µs/event")
}

func benchEmbedded(b *testing.B, dialect string, writers, perTx int, deliver bool) {
	db, ob, delivered := durableSetup(b, dialect, "bench.embedded."+dialect)
	if deliver { // else the writes alone: the outbox's rows stay pending
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- ob.Run(ctx) }()
		defer func() { cancel(); <-done }()
	}

	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	var next atomic.Int64
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		go func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if err := saveAccounts(db, i, perTx); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for w := 0; w < writers; w++ {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	want := int64(b.N) * int64(perTx)
	wrote := time.Since(start)
	for deliver && delivered.Load() < want {
		time.Sleep(time.Millisecond)
	}
	if deliver {
		b.ReportMetric(float64(want)/time.Since(start).Seconds(), "events/s")
	}
	b.ReportMetric(float64(want)/wrote.Seconds(), "written/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(want), "cpu-µs/event")
}

// cpuTime returns the CPU time (user and system) the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchDelivery is the ceiling of the deliveries: the events of b.N
// transactions of perTx saves are written with no worker running, then
// delivered by RunOnce, which alone is timed.
func benchDelivery(b *testing.B, dialect string, perTx int) {
	db, ob, delivered := durableSetup(b, dialect, "bench.delivery."+dialect)
	for i := 1; i <= b.N; i++ {
		if err := saveAccounts(db, int64(i), perTx); err != nil {
			b.Fatal(err)
		}
	}
	want := int64(b.N) * int64(perTx)
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	if _, err := ob.RunOnce(context.Background()); err != nil {
		b.Fatal(err)
	}
	if got := delivered.Load(); got != want {
		b.Fatalf("delivered %d events, want %d", got, want)
	}
	b.ReportMetric(float64(want)/time.Since(start).Seconds(), "delivered/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(want), "cpu-µs/event")
}

// durableSetup opens a database of dialect with the plugin and a durable
// post_save receiver name counting its deliveries, and its outbox, migrated
// and not running.
func durableSetup(b *testing.B, dialect, name string) (*gorm.DB, *outboxgorm.Outbox, *atomic.Int64) {
	db := dbtest.Open(b, dialect, dbtest.Use(signalsgorm.New()), dbtest.Migrate(&Account{}))
	delivered := new(atomic.Int64)
	h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[Account]) error {
		delivered.Add(1)
		return nil
	})
	b.Cleanup(func() { h.Disconnect() })
	ob, err := outboxgorm.New(db, outboxgorm.Config{Receivers: []string{name}, Batch: 1000})
	if err != nil {
		b.Fatal(err)
	}
	if err := ob.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db, ob, delivered
}

// saveAccounts saves transaction i: perTx accounts in one Create (GORM's
// own transaction), or one account.
func saveAccounts(db *gorm.DB, i int64, perTx int) error {
	accts := make([]Account, perTx)
	for j := range accts {
		accts[j] = Account{Email: fmt.Sprintf("u%d.%d@x", i, j)}
	}
	if perTx == 1 {
		return db.Create(&accts[0]).Error
	}
	return db.Create(&accts).Error
}
