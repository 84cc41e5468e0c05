package signalsgorm_test

import (
	"context"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// BenchmarkCreateTrace creates a book with a pre_save receiver on SQLite,
// untraced and traced. The traced run records the send, the receiver and
// the INSERT (StartTrace and Stop included); untraced, the SQL trace hooks
// cost one atomic load each.
func BenchmarkCreateTrace(b *testing.B) {
	db := dbtest.OpenConfig(b, "sqlite", dbtest.Config())
	if err := db.Use(signalsgorm.New()); err != nil {
		b.Fatal(err)
	}
	if err := db.AutoMigrate(&Book{}); err != nil {
		b.Fatal(err)
	}
	h := modelsignals.OnPreSave(func(context.Context, modelsignals.Save[Book]) error { return nil })
	b.Cleanup(func() { h.Disconnect() })
	for _, traced := range []bool{false, true} {
		name := "untraced"
		if traced {
			name = "traced"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx := context.Background()
				var tr *signals.Trace
				if traced {
					ctx, tr = signals.StartTrace(ctx, "bench")
				}
				if err := db.WithContext(ctx).Create(&Book{Title: "b"}).Error; err != nil {
					b.Fatal(err)
				}
				tr.Stop()
			}
		})
	}
}
