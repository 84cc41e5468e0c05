package outboxgorm_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// BenchmarkDurableEmbeddedSQLite measures the embedded outbox end to end on
// a SQLite file: saves of 100 accounts per transaction write their events,
// and the in-process worker delivers them to a durable receiver. It
// reports events/s from the first write to the last delivery.
func BenchmarkDurableEmbeddedSQLite(b *testing.B) {
	db := dbtest.Open(b, "sqlite", dbtest.Use(signalsgorm.New()), dbtest.Migrate(&Account{}))
	name := "bench.embedded"
	var delivered atomic.Int64
	h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[Account]) error {
		delivered.Add(1)
		return nil
	})
	defer h.Disconnect()
	ob, err := outboxgorm.New(db, outboxgorm.Config{Receivers: []string{name}, Batch: 1000})
	if err != nil {
		b.Fatal(err)
	}
	if err := ob.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- ob.Run(ctx) }()
	defer func() { cancel(); <-done }()

	const perTx = 100
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	want := int64(0)
	for i := 0; b.Loop(); i++ {
		accts := make([]Account, perTx)
		for j := range accts {
			accts[j] = Account{Email: fmt.Sprintf("u%d.%d@x", i, j)}
		}
		if err := db.Create(&accts).Error; err != nil {
			b.Fatal(err)
		}
		want += perTx
	}
	for delivered.Load() < want {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(want)/time.Since(start).Seconds(), "events/s")
}
