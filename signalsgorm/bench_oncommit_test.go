package signalsgorm_test

import (
	"context"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// benchDialects are the databases of the benchmarks: an in-memory SQLite
// database first, where the CPU cost is not hidden by disk and network.
var benchDialects = append([]string{dbtest.SQLiteMemory}, dbtest.Dialects...)

// benchOnCommitDB opens a database of dialect for a benchmark, with the plugin or
// without, and the Tag table.
func benchOnCommitDB(b *testing.B, dialect string, plugin bool) *gorm.DB {
	b.Helper()
	if plugin {
		return dbtest.Open(b, dialect, dbtest.Use(signalsgorm.New()), dbtest.Migrate(&Tag{}))
	}
	return dbtest.Open(b, dialect, dbtest.Migrate(&Tag{}))
}

// A transaction with one Create: GORM alone; with the plugin and no
// receiver (the fast path); with one after-commit post_save receiver; with
// one inline post_save receiver, for comparison.
func BenchmarkTransactionCreate(b *testing.B) {
	noop := func(context.Context, modelsignals.Save[Tag]) error { return nil }
	variants := []struct {
		name    string
		plugin  bool
		connect func() interface{ Disconnect() bool }
	}{
		{name: "gorm", plugin: false},
		{name: "plugin", plugin: true},
		{name: "plugin+after_commit", plugin: true, connect: func() interface{ Disconnect() bool } {
			return signalsgorm.AfterCommit(modelsignals.OnPostSave, noop)
		}},
		{name: "plugin+inline", plugin: true, connect: func() interface{ Disconnect() bool } {
			return modelsignals.OnPostSave(noop)
		}},
	}
	for _, dialect := range benchDialects {
		b.Run(dialect, func(b *testing.B) {
			for _, v := range variants {
				b.Run(v.name, func(b *testing.B) {
					db := benchOnCommitDB(b, dialect, v.plugin)
					if v.connect != nil {
						h := v.connect()
						b.Cleanup(func() { h.Disconnect() })
					}
					b.ReportAllocs()
					for b.Loop() {
						err := db.Transaction(func(tx *gorm.DB) error {
							return tx.Create(&Tag{Name: "bench"}).Error
						})
						if err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// A statement in an open transaction, which the plugin's transaction sees
// (to follow savepoints): GORM alone and with the plugin.
func BenchmarkTransactionExec(b *testing.B) {
	for _, v := range []struct {
		name   string
		plugin bool
	}{{"gorm", false}, {"plugin", true}} {
		b.Run(v.name, func(b *testing.B) {
			db := benchOnCommitDB(b, dbtest.SQLiteMemory, v.plugin)
			tx := db.Begin()
			defer tx.Rollback()
			b.ReportAllocs()
			for b.Loop() {
				if err := tx.Exec("UPDATE tags SET name = ? WHERE id = 0", "x").Error; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Registering an on-commit callback in a transaction (no database work).
func BenchmarkOnCommitRegister(b *testing.B) {
	db := benchOnCommitDB(b, dbtest.SQLiteMemory, true)
	fn := func(context.Context) error { return nil }
	tx := db.Begin()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := signalsgorm.OnCommit(tx, fn); err != nil {
			b.Fatal(err)
		}
		if n++; n%1000 == 0 { // transactions of a realistic size
			b.StopTimer()
			tx.Rollback()
			tx = db.Begin()
			b.StartTimer()
		}
	}
	tx.Rollback()
}

// Sending a post_save event to an after-commit receiver in a transaction:
// the cost of deferring it (no database work).
func BenchmarkAfterCommitSend(b *testing.B) {
	db := benchOnCommitDB(b, dbtest.SQLiteMemory, true)
	if err := signalsgorm.Register(db, &Tag{}); err != nil {
		b.Fatal(err)
	}
	h := signalsgorm.AfterCommit(modelsignals.OnPostSave, func(context.Context, modelsignals.Save[Tag]) error { return nil })
	defer h.Disconnect()
	tag := &Tag{Name: "bench"}
	m := modelsignals.Lookup(reflect.TypeFor[Tag]())
	ev := modelsignals.SaveEvent{Model: m, Instance: tag, Created: true, Using: "default"}
	tx := db.Begin()
	ctx := signalsgorm.NewContext(context.Background(), tx)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := modelsignals.PostSave.Send(ctx, m.Type, ev); err != nil {
			b.Fatal(err)
		}
		if n++; n%1000 == 0 {
			b.StopTimer()
			tx.Rollback()
			tx = db.Begin()
			ctx = signalsgorm.NewContext(context.Background(), tx)
			b.StartTimer()
		}
	}
	tx.Rollback()
}
