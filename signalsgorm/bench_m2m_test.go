package signalsgorm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// The m2m benchmark: Association("Tags").Append of 100 stored tags to a
// new post, on in-memory SQLite, with the cases of the save benchmarks
// (plain GORM, the plugin without receivers, the plugin with a no-op
// m2m_changed receiver):
//
//	go test -run '^$' -bench M2M -benchmem -count 10 .

type BenchPost struct {
	ID    uint
	Title string
	Tags  []BenchTag `gorm:"many2many:bench_post_tags"`
}

type BenchTag struct {
	ID   uint
	Name string
}

func BenchmarkM2MAppend100(b *testing.B) {
	for _, c := range benchCases {
		if c.hooks {
			continue // join rows have no hook methods to compare with
		}
		b.Run(c.name, func(b *testing.B) {
			db := benchOpen(b, c.plugin)
			if err := db.AutoMigrate(&BenchPost{}, &BenchTag{}); err != nil {
				b.Fatal(err)
			}
			if c.receivers {
				th, err := signalsgorm.Through(db, &BenchPost{}, "Tags")
				if err != nil {
					b.Fatal(err)
				}
				h := modelsignals.M2MChanged.ConnectFunc(func(context.Context, modelsignals.M2MEvent) error { return nil },
					signals.Sender(th.Type))
				b.Cleanup(func() { h.Disconnect() })
			}
			tags := make([]*BenchTag, 100)
			for i := range tags {
				tags[i] = &BenchTag{Name: fmt.Sprint("t", i)}
			}
			if err := db.Create(&tags).Error; err != nil {
				b.Fatal(err)
			}
			// One new post per iteration, inserted before timing.
			posts := make([]BenchPost, b.N)
			for i := range posts {
				posts[i].Title = "p"
			}
			if err := db.CreateInBatches(&posts, 500).Error; err != nil {
				b.Fatal(err)
			}
			args := make([]any, len(tags))
			for i, t := range tags {
				args[i] = t
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := db.Model(&posts[i]).Association("Tags").Append(args...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
