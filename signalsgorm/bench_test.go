package signalsgorm_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// The save-path benchmarks, on in-memory SQLite:
//
//	plain        GORM without the plugin
//	plugin       the plugin installed, no receivers (the fast path)
//	receivers    the plugin with one no-op pre_save and one no-op post_save receiver
//	hooks        GORM without the plugin, on a model with no-op BeforeSave/AfterSave methods
//
// Run with: go test -run '^$' -bench 'Create|Update|Delete' -benchmem -count 10 .

type BenchBook struct {
	ID    uint
	Title string
	Pages int
}

type HookBook struct {
	ID    uint
	Title string
	Pages int
}

func (*HookBook) BeforeSave(*gorm.DB) error { return nil }
func (*HookBook) AfterSave(*gorm.DB) error  { return nil }

// BeforeDelete/AfterDelete give the delete benchmark its hook counterpart.
func (*HookBook) BeforeDelete(*gorm.DB) error { return nil }
func (*HookBook) AfterDelete(*gorm.DB) error  { return nil }

func benchOpen(b *testing.B, plugin bool) *gorm.DB {
	var opts []signalsgorm.Option
	if plugin {
		opts = []signalsgorm.Option{}
	}
	db := benchMemory(b, opts)
	if err := db.AutoMigrate(&BenchBook{}, &HookBook{}); err != nil {
		b.Fatal(err)
	}
	return db
}

// benchMemory opens a fresh in-memory SQLite database on one connection,
// with the plugin and opts when opts is not nil.
func benchMemory(b *testing.B, opts []signalsgorm.Option) *gorm.DB {
	if opts == nil {
		return dbtest.Open(b, dbtest.SQLiteMemory)
	}
	return dbtest.Open(b, dbtest.SQLiteMemory, dbtest.Use(signalsgorm.New(opts...)))
}

type benchCase struct {
	name      string
	plugin    bool
	receivers bool
	hooks     bool
}

var benchCases = []benchCase{
	{"plain", false, false, false},
	{"plugin", true, false, false},
	{"receivers", true, true, false},
	{"hooks", false, false, true},
}

func withReceivers(b *testing.B, on bool) {
	if !on {
		return
	}
	h1 := modelsignals.OnPreSave(func(context.Context, modelsignals.Save[BenchBook]) error { return nil })
	h2 := modelsignals.OnPostSave(func(context.Context, modelsignals.Save[BenchBook]) error { return nil })
	h3 := modelsignals.OnPreDelete(func(context.Context, modelsignals.Delete[BenchBook]) error { return nil })
	h4 := modelsignals.OnPostDelete(func(context.Context, modelsignals.Delete[BenchBook]) error { return nil })
	b.Cleanup(func() { h1.Disconnect(); h2.Disconnect(); h3.Disconnect(); h4.Disconnect() })
}

func BenchmarkCreate(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			db := benchOpen(b, c.plugin)
			withReceivers(b, c.receivers)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if c.hooks {
					err = db.Create(&HookBook{Title: "Dune", Pages: 412}).Error
				} else {
					err = db.Create(&BenchBook{Title: "Dune", Pages: 412}).Error
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUpdate(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			db := benchOpen(b, c.plugin)
			withReceivers(b, c.receivers)
			hb, bb := HookBook{Title: "Dune"}, BenchBook{Title: "Dune"}
			db.Create(&hb)
			db.Create(&bb)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				var err error
				if c.hooks {
					hb.Pages = i
					err = db.Save(&hb).Error
				} else {
					bb.Pages = i
					err = db.Save(&bb).Error
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDelete(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			db := benchOpen(b, c.plugin)
			withReceivers(b, c.receivers)
			// One row to delete per iteration, inserted before timing.
			hbs := make([]HookBook, b.N)
			bbs := make([]BenchBook, b.N)
			for i := range b.N {
				hbs[i].Title, bbs[i].Title = "x", "x"
			}
			if c.hooks {
				db.CreateInBatches(&hbs, 500)
			} else {
				db.CreateInBatches(&bbs, 500)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				var err error
				if c.hooks {
					err = db.Delete(&hbs[i]).Error
				} else {
					err = db.Delete(&bbs[i]).Error
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
