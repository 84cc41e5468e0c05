package signalsgorm_test

import (
	"context"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// Run with: go test -run '^$' -bench 'Load10k|ConditionalUpdate10k' -benchmem .

func benchDB10k(b *testing.B, opts ...signalsgorm.Option) *gorm.DB {
	db := benchMemory(b, opts)
	db.AutoMigrate(&Order{})
	rows := make([]Order, 10000)
	for i := range rows {
		rows[i] = Order{Status: "new", Total: i}
	}
	if err := db.CreateInBatches(&rows, 1000).Error; err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkLoad10k reads 10 000 rows: plain GORM, with the plugin, and with
// change tracking (a snapshot per row).
func BenchmarkLoad10k(b *testing.B) {
	for _, c := range []struct {
		name string
		opts []signalsgorm.Option
	}{
		{"plain", nil},
		{"plugin", []signalsgorm.Option{}},
		{"tracking", []signalsgorm.Option{signalsgorm.TrackChanges(&Order{})}},
	} {
		b.Run(c.name, func(b *testing.B) {
			db := benchDB10k(b, c.opts...)
			b.ReportAllocs()
			for b.Loop() {
				var os []Order
				if err := db.Find(&os).Error; err != nil || len(os) != 10000 {
					b.Fatal(err, len(os))
				}
			}
		})
	}
}

// BenchmarkConditionalUpdate10k updates 10 000 rows with one conditional
// UPDATE: plain GORM, the plugin without receivers (no extra query), and
// with a post_update receiver (one extra SELECT of the keys).
func BenchmarkConditionalUpdate10k(b *testing.B) {
	for _, c := range []struct {
		name      string
		opts      []signalsgorm.Option
		receivers bool
	}{
		{"plain", nil, false},
		{"plugin", []signalsgorm.Option{}, false},
		{"receiver", []signalsgorm.Option{}, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			db := benchDB10k(b, c.opts...)
			if c.receivers {
				h := modelsignals.PostUpdate.ConnectFunc(func(_ context.Context, ev modelsignals.UpdateEvent) error {
					if len(ev.PKs) != 10000 {
						return fmt.Errorf("%d keys", len(ev.PKs))
					}
					return nil
				})
				b.Cleanup(func() { h.Disconnect() })
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if err := db.Model(&Order{}).Where("total >= ?", 0).Update("note", fmt.Sprint(i)).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
