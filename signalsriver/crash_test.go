package signalsriver_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/gosignals/signals/internal/longtest"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsriver"
	"github.com/gosignals/signals/signalsriver/internal/rtest"
)

// TestMain turns the test binary into the worker process of the crash
// test when SIGNALS_HELPER says so.
func TestMain(m *testing.M) {
	if os.Getenv("SIGNALS_HELPER") == "worker" {
		helperWorker()
		return
	}
	os.Exit(m.Run())
}

// helperRiver is the River configuration of the crash test's worker: jobs
// left running by a killed worker are rescued 3 s after they started,
// instead of River's default hour. River's warnings and errors go to the
// worker's log, which a failing test shows.
func helperRiver() *river.Config {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &river.Config{Logger: logger, JobTimeout: 2 * time.Second, RescueStuckJobsAfter: 3 * time.Second}
}

func helperWorker() {
	dialect, dsn, name := os.Getenv("SIGNALS_HELPER_DIALECT"), os.Getenv("SIGNALS_HELPER_DSN"), os.Getenv("SIGNALS_HELPER_RECEIVER")
	cfg := signalsriver.Config{Receivers: []string{name}, River: helperRiver()}
	if raceEnabled && dialect == signalsriver.SQLite {
		// The race detector slows SQLite fifteenfold while River's own
		// operations keep their 5–10 s timeouts: fewer handlers waiting
		// for the one writer keep River's fetches and completions in time.
		cfg.MaxWorkers = 10
	}
	eng, err := signalsriver.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	db, err := rtest.OpenDSN(dialect, dsn, eng)
	if err != nil {
		log.Fatal(err)
	}
	signalsgorm.DurablePostSave(name, rtest.EffectReceiver(db))
	w, err := eng.NewWorker(db)
	if err != nil {
		log.Fatal(err)
	}
	ctx, _ := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	if err := w.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// worker is the worker process of the crash test.
type worker struct {
	t    *testing.T
	env  []string
	cmd  *exec.Cmd
	runs int
}

func (w *worker) start() {
	w.t.Helper()
	w.runs++
	path := filepath.Join(w.t.TempDir(), fmt.Sprintf("worker-%d.log", w.runs))
	out, err := os.Create(path)
	if err != nil {
		w.t.Fatal(err)
	}
	run := w.runs
	w.t.Cleanup(func() {
		if b, _ := os.ReadFile(path); w.t.Failed() && len(b) > 0 {
			w.t.Logf("worker %d's log (its end):\n%s", run, b[max(0, len(b)-4000):])
		}
	})
	w.cmd = exec.Command(os.Args[0])
	w.cmd.Env = append(append(os.Environ(), "SIGNALS_HELPER=worker"), w.env...)
	w.cmd.Stdout, w.cmd.Stderr = out, out
	if err := w.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	cmd := w.cmd
	w.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
}

// kill9 kills the worker with SIGKILL: no clean-up, no completion of the
// jobs it was working.
func (w *worker) kill9() {
	w.t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		w.t.Fatal(err)
	}
	_ = w.cmd.Wait()
}

// crash writes total events, half of them while a worker process works
// them; the worker is killed with SIGKILL at a quarter of the effects
// and restarted. River's rescuer retries the jobs the dead worker left
// running: every event is delivered, and outboxgorm.Once applied each
// exactly once.
func crash(t *testing.T, dialect string, total int) {
	dsn := rtest.DSN(t, dialect)
	eng, err := signalsriver.New(signalsriver.Config{River: &river.Config{Logger: rtest.Quiet}})
	if err != nil {
		t.Fatal(err)
	}
	db := rtest.Open(t, dialect, dsn, eng)
	name := rtest.Unique("river.crash.")
	h := signalsgorm.DurablePostSave(name, rtest.EffectReceiver(db))
	t.Cleanup(func() { h.Disconnect() })
	perTx := min(100, total/10)
	write := func(from, to int) error {
		for i := from; i < to; i += perTx {
			if dialect == signalsriver.SQLite && i > from {
				// SQLite has one writer, and its busy handler polls: a
				// writer that never pauses would keep the worker out.
				time.Sleep(50 * time.Millisecond)
			}
			accts := make([]rtest.Account, perTx)
			for j := range accts {
				accts[j].Email = fmt.Sprintf("u%d@x", i+j)
			}
			if err := db.Create(&accts).Error; err != nil {
				return err
			}
		}
		return nil
	}
	if err := write(0, total/2); err != nil {
		t.Fatal(err)
	}
	w := &worker{t: t, env: []string{"SIGNALS_HELPER_DIALECT=" + dialect, "SIGNALS_HELPER_DSN=" + dsn, "SIGNALS_HELPER_RECEIVER=" + name}}
	w.start()
	writing := make(chan error, 1)
	go func() { writing <- write(total/2, total) }()

	effects := func() int64 { return rtest.Count(t, db, "SELECT COUNT(*) FROM effects") }
	rtest.WaitProgress(t, 120*time.Second, "a quarter of the effects", effects, int64(total/4))
	w.kill9()
	t.Logf("worker killed at %d effects", effects())
	time.Sleep(200 * time.Millisecond)
	w.start()
	if err := <-writing; err != nil {
		t.Fatal(err)
	}
	// The rescue of the jobs the dead worker held waits for its
	// leadership to expire (15 s) and for RescueStuckJobsAfter.
	rtest.WaitProgress(t, 120*time.Second, "every effect", effects, int64(total))
	kind := signalsriver.Kind(name)
	completed := func() int64 {
		return rtest.Count(t, db, "SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = 'completed'", kind)
	}
	rtest.WaitProgress(t, 120*time.Second, "every job's completion", completed, int64(total))
	w.kill9()

	checks := []struct {
		what  string
		query string
		want  int64
	}{
		{"jobs", "SELECT COUNT(*) FROM river_job WHERE kind = ?", int64(total)},
		{"effects", "SELECT COUNT(*) FROM effects", int64(total)},
		{"distinct effects", "SELECT COUNT(DISTINCT event_id) FROM effects", int64(total)},
		{"distinct deliveries", "SELECT COUNT(DISTINCT event_id) FROM deliveries", int64(total)},
		{"processed keys", "SELECT COUNT(*) FROM signals_processed WHERE receiver = ?", int64(total)},
	}
	for _, c := range checks {
		var args []any
		if c.what == "jobs" || c.what == "processed keys" {
			args = []any{kind}
			if c.what == "processed keys" {
				args = []any{name}
			}
		}
		if got := rtest.Count(t, db, c.query, args...); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	deliveries := rtest.Count(t, db, "SELECT COUNT(*) FROM deliveries")
	t.Logf("%d deliveries for %d events (%d redelivered after the crash, applied once)", deliveries, total, deliveries-int64(total))
}

// The worker process is killed with SIGKILL amid 10 000 events (2 000 on
// SQLite under the race detector, which slows the pure-Go SQLite
// fifteenfold) and restarted: every event is delivered, effects once.
func TestCrashWorker(t *testing.T) {
	longtest.Require(t, "crash test, 10 000 events per database")
	forEachDialect(t, func(t *testing.T, dialect string) {
		total := 10000
		if raceEnabled && dialect == signalsriver.SQLite {
			total = 2000
		}
		crash(t, dialect, total)
	})
}
