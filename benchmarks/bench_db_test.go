package benchmarks

import (
	"flag"
	"runtime"
	"testing"

	"github.com/gosignals/signals/benchmarks/workload"
)

// Sizes of the database workloads (the Django script takes the same).
var (
	saves    = flag.Int("saves", 5000, "objects saved by one iteration of BenchmarkSave")
	books    = flag.Int("books", 2000, "books of the author BenchmarkCascade deletes")
	comments = flag.Int("comments", 5, "comments of each book in BenchmarkCascade")
)

// open opens a fresh database for one benchmark function call.
func open(b *testing.B, plugin bool) *workload.DB {
	b.Helper()
	db, err := workload.Open(b.TempDir(), "bench", plugin)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// pause stops the timer and clears the database; resume collects garbage
// and restarts the timer, so that one iteration's garbage is not collected
// during the next one's timing (the Django script does the same).
func pause(b *testing.B, db *workload.DB) {
	b.StopTimer()
	if err := workload.Clear(db.DB); err != nil {
		b.Fatal(err)
	}
}

func resume(b *testing.B, db *workload.DB) {
	db.Queries.Reset()
	runtime.GC()
	b.StartTimer()
}

// BenchmarkSave saves -saves new objects in one transaction per iteration.
func BenchmarkSave(b *testing.B) {
	type variant struct {
		name   string
		plugin bool
		run    func(db *workload.DB) (pre, post int, err error)
	}
	variants := []variant{
		{"gorm", false, func(db *workload.DB) (int, int, error) {
			return 0, 0, workload.SaveEntries(db.DB, *saves)
		}},
		{"hooks", false, func(db *workload.DB) (int, int, error) {
			h := &workload.Hooks{}
			err := workload.SaveHookEntries(db.DB, *saves, h)
			return h.Before, h.After, err
		}},
		{"gosignals", true, func(db *workload.DB) (int, int, error) {
			c, disconnect := workload.ConnectSaveReceivers()
			defer disconnect()
			err := workload.SaveEntries(db.DB, *saves)
			return c.Pre, c.Post, err
		}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			db := open(b, v.plugin)
			var queries, pre, post int64
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				pause(b, db)
				resume(b, db)
				p, q, err := v.run(db)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				queries += db.Queries.Data()
				pre, post = pre+int64(p), post+int64(q)
			}
			n := float64(b.N)
			b.ReportMetric(float64(queries)/n, "queries/op")
			b.ReportMetric(float64(pre)/n, "pre_save/op")
			b.ReportMetric(float64(post)/n, "post_save/op")
		})
	}
}

// BenchmarkCascade deletes an author with -books books of -comments
// comments each per iteration; seeding is not timed.
func BenchmarkCascade(b *testing.B) {
	for _, v := range []struct {
		name   string
		plugin bool
	}{{"dbcascade", false}, {"gosignals", true}} {
		b.Run(v.name, func(b *testing.B) {
			db := open(b, v.plugin)
			var queries, pre, post int64
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				pause(b, db)
				id, err := workload.Seed(db.DB, *books, *comments)
				if err != nil {
					b.Fatal(err)
				}
				a, err := workload.LoadAuthor(db.DB, id)
				if err != nil {
					b.Fatal(err)
				}
				var counts *workload.DeleteCounts
				disconnect := func() {}
				if v.plugin {
					counts, disconnect = workload.ConnectDeleteReceivers()
				}
				resume(b, db)
				err = workload.DeleteAuthor(db.DB, a)
				b.StopTimer()
				disconnect()
				if err != nil {
					b.Fatal(err)
				}
				queries += db.Queries.Data()
				if counts != nil {
					p, q := counts.Total()
					pre, post = pre+int64(p), post+int64(q)
				}
				if left, err := workload.Remaining(db.DB); err != nil || left != 0 {
					b.Fatalf("after the delete: %d rows left, %v", left, err)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(queries)/n, "queries/op")
			b.ReportMetric(float64(pre)/n, "pre_delete/op")
			b.ReportMetric(float64(post)/n, "post_delete/op")
		})
	}
}
