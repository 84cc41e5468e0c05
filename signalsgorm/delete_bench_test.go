package signalsgorm_test

import (
	"context"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// Django's collector workload: an author, 2 000 books, 5 comments each,
// with the foreign keys indexed as Django indexes them (PostgreSQL checks
// each deleted book against the comments: without an index, a scan).
type CascadeAuthor struct {
	ID    uint
	Name  string
	Books []CascadeBook `gorm:"constraint:OnDelete:CASCADE"`
}

type CascadeBook struct {
	ID              uint
	Title           string
	CascadeAuthorID uint             `gorm:"index"`
	Comments        []CascadeComment `gorm:"constraint:OnDelete:CASCADE"`
}

type CascadeComment struct {
	ID            uint
	CascadeBookID uint `gorm:"index"`
	Text          string
}

// seedBench inserts the workload with three statements and returns the
// author.
func seedBench(b *testing.B, db *gorm.DB) *CascadeAuthor {
	a := &CascadeAuthor{Name: "a"}
	if err := db.Create(a).Error; err != nil {
		b.Fatal(err)
	}
	d := "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL " +
		"SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
	books := "INSERT INTO cascade_books (title, cascade_author_id) SELECT 'b', ? FROM " + d + " x CROSS JOIN " + d + " y CROSS JOIN " + d +
		" z CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1) w"
	comments := "INSERT INTO cascade_comments (cascade_book_id, text) SELECT cascade_books.id, 'c' FROM cascade_books CROSS JOIN " +
		"(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) k WHERE cascade_books.cascade_author_id = ?"
	for _, err := range []error{db.Exec(books, a.ID).Error, db.Exec(comments, a.ID).Error} {
		if err != nil {
			b.Fatal(err)
		}
	}
	return a
}

// BenchmarkDeleteCascade deletes Django's workload (1 + 2 000 + 10 000
// rows, ON DELETE CASCADE): with a no-op pre_delete and post_delete
// receiver (every row read and signalled), and with none (the fast path).
// It reports the statements run per deletion (BEGIN and COMMIT aside) and
// the signals sent.
func BenchmarkDeleteCascade(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		for _, receivers := range []bool{true, false} {
			name := dialect + "/receivers"
			if !receivers {
				name = dialect + "/fast"
			}
			b.Run(name, func(b *testing.B) {
				db := dbtest.Open(b, dialect)
				if err := db.Use(signalsgorm.New()); err != nil {
					b.Fatal(err)
				}
				if err := signalsgorm.AutoMigrate(db, &CascadeAuthor{}, &CascadeBook{}, &CascadeComment{}); err != nil {
					b.Fatal(err)
				}
				log := watch(b, db)
				var pre, post atomic.Int64
				if receivers {
					h1 := modelsignals.PreDelete.ConnectFunc(func(context.Context, modelsignals.DeleteEvent) error { pre.Add(1); return nil })
					h2 := modelsignals.PostDelete.ConnectFunc(func(context.Context, modelsignals.DeleteEvent) error { post.Add(1); return nil })
					b.Cleanup(func() { h1.Disconnect(); h2.Disconnect() })
				}
				var stmts int
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					b.StopTimer()
					a := seedBench(b, db)
					log.reset()
					b.StartTimer()
					res, err := signalsgorm.Delete(db, a)
					b.StopTimer()
					if err != nil || res.Total != 12_001 {
						b.Fatalf("%+v %v", res, err)
					}
					stmts += len(log.take())
					b.StartTimer()
				}
				b.ReportMetric(float64(stmts)/float64(b.N), "queries/op")
				b.ReportMetric(float64(pre.Load())/float64(b.N), "pre_delete/op")
				b.ReportMetric(float64(post.Load())/float64(b.N), "post_delete/op")
			})
		}
	}
}
