//go:build unix

package signalsriver_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
	"github.com/gosignals/signals/signalsriver"
	"github.com/gosignals/signals/signalsriver/internal/rtest"
)

// The models of the benchmark: one per engine, so that a save sends its
// event to one engine's receiver only.
type (
	EmbeddedAccount struct {
		ID    uint
		Email string
	}
	RiverAccount struct {
		ID    uint
		Email string
	}
	RiverTunedAccount struct {
		ID    uint
		Email string
	}
)

// benchEvents is the number of events per engine per round, written in
// transactions of benchPerTx saves.
const benchEvents, benchPerTx = 2000, 100

// engine is one durable engine under benchmark: run delivers until ctx is
// done, write saves n accounts in one transaction, delivered counts the
// deliveries.
type engine struct {
	name      string
	run       func(ctx context.Context) error
	write     func(round, i, n int) error
	delivered *atomic.Int64
}

// BenchmarkEngines measures durable receivers end to end, from the first
// write to the last delivery, on the embedded outbox (outboxgorm) and on
// River (with its defaults, and tuned), in the same process, interleaved: each iteration is one round in
// which each engine delivers 2 000 events saved 100 per transaction to a
// receiver that counts them. It reports each engine's median events/s and
// CPU time (user+sys, getrusage, this process only: PostgreSQL's server
// is not counted) per event:
//
//	go test -run '^$' -bench Engines -benchtime 5x
func BenchmarkEngines(b *testing.B) {
	for _, dialect := range rtest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			engines := []*engine{embeddedEngine(b, dialect), riverEngine[RiverAccount](b, dialect, false), riverEngine[RiverTunedAccount](b, dialect, true)}
			rates := make([][]float64, len(engines))
			cpus := make([][]float64, len(engines))
			for round := 0; b.Loop(); round++ {
				for i, e := range engines {
					r, c := measure(b, e, round)
					rates[i], cpus[i] = append(rates[i], r), append(cpus[i], c)
				}
			}
			for i, e := range engines {
				b.ReportMetric(median(rates[i]), e.name+"-events/s")
				b.ReportMetric(median(cpus[i]), e.name+"-cpu-µs/event")
			}
		})
	}
}

func embeddedEngine(b *testing.B, dialect string) *engine {
	name := rtest.Unique("bench.embedded.")
	var delivered atomic.Int64
	h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[EmbeddedAccount]) error {
		delivered.Add(1)
		return nil
	})
	b.Cleanup(func() { h.Disconnect() })
	db := openBench(b, dialect, signalsgorm.New(), &EmbeddedAccount{})
	ob, err := outboxgorm.New(db, outboxgorm.Config{Receivers: []string{name}, Batch: 1000})
	if err != nil {
		b.Fatal(err)
	}
	if err := ob.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return &engine{name: "embedded", run: ob.Run, delivered: &delivered, write: writer[EmbeddedAccount](db)}
}

// riverEngine is River with its defaults (a queue per receiver fetches up
// to MaxWorkers 100 jobs per FetchCooldown of 100 ms: at most 1 000 jobs/s),
// or tuned: MaxWorkers 1 000 and FetchCooldown 5 ms.
func riverEngine[M any](b *testing.B, dialect string, tuned bool) *engine {
	name := rtest.Unique("bench.river.")
	var delivered atomic.Int64
	h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[M]) error {
		delivered.Add(1)
		return nil
	})
	b.Cleanup(func() { h.Disconnect() })
	cfg, label := signalsriver.Config{Receivers: []string{name}, River: &river.Config{Logger: rtest.Quiet}}, "river"
	if tuned {
		cfg.MaxWorkers, cfg.River.FetchCooldown, label = 1000, 5*time.Millisecond, "river-tuned"
	}
	eng, err := signalsriver.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	db := openBench(b, dialect, signalsgorm.New(signalsgorm.WithOutbox(eng)), new(M))
	if err := eng.Migrate(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	run := func(ctx context.Context) error {
		w, err := eng.NewWorker(db)
		if err != nil {
			return err
		}
		return w.Run(ctx)
	}
	return &engine{name: label, run: run, delivered: &delivered, write: writer[M](db)}
}

func openBench(b *testing.B, dialect string, plugin gorm.Plugin, model any) *gorm.DB {
	db, err := gorm.Open(rtest.Dialector(dialect, rtest.DSN(b, dialect)), rtest.GormConfig())
	if err != nil {
		b.Fatal(err)
	}
	sqlDB, _ := db.DB()
	b.Cleanup(func() { sqlDB.Close() })
	if err := db.Use(plugin); err != nil {
		b.Fatal(err)
	}
	if err := db.AutoMigrate(model); err != nil {
		b.Fatal(err)
	}
	return db
}

func writer[M any](db *gorm.DB) func(round, i, n int) error {
	return func(round, i, n int) error {
		rows := make([]M, n)
		for j := range rows {
			setEmail(&rows[j], fmt.Sprintf("u%d.%d.%d@x", round, i, j))
		}
		return db.Create(&rows).Error
	}
}

func setEmail(v any, s string) {
	switch a := v.(type) {
	case *EmbeddedAccount:
		a.Email = s
	case *RiverAccount:
		a.Email = s
	case *RiverTunedAccount:
		a.Email = s
	}
}

// measure runs one round of e: it starts its worker, writes benchEvents
// events and waits for their delivery; it returns events/s and CPU µs
// per event.
func measure(b *testing.B, e *engine, round int) (rate, cpu float64) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}()
	time.Sleep(100 * time.Millisecond) // the worker's start is not measured
	want := e.delivered.Load() + benchEvents
	cpu0, start := cpuTime(), time.Now()
	for i := 0; i < benchEvents; i += benchPerTx {
		if err := e.write(round, i, benchPerTx); err != nil {
			b.Fatal(err)
		}
	}
	last, since := e.delivered.Load(), time.Now()
	for n := last; n < want; n = e.delivered.Load() {
		if n > last {
			last, since = n, time.Now()
		} else if time.Since(since) > time.Minute {
			b.Fatalf("%s: no delivery for a minute (%d of %d)", e.name, n, want)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed, used := time.Since(start), cpuTime()-cpu0
	return benchEvents / elapsed.Seconds(), float64(used.Microseconds()) / benchEvents
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
