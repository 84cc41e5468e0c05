package outboxgorm_test

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

	"github.com/gosignals/signals/internal/longtest"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// CrashEffect is what the crash test's idempotent receiver writes, one row
// per application (no unique key: a double application would show), and
// CrashDelivery logs each call.
type CrashEffect struct {
	ID      uint
	EventID string `gorm:"size:36;index"`
}

type CrashDelivery struct {
	ID      uint
	EventID string `gorm:"size:36;index"`
}

const crashReceiver = "test.crash.embedded"

// TestMain turns the test binary into the application process of the
// embedded crash test when SIGNALS_GORM_HELPER=worker, and into a worker
// process of the worker-process tests when it is durable-worker.
func TestMain(m *testing.M) {
	switch os.Getenv("SIGNALS_GORM_HELPER") {
	case "worker":
		crashWorker(os.Getenv("SIGNALS_GORM_HELPER_DSN"))
		return
	case "durable-worker":
		durableWorker()
		return
	}
	os.Exit(m.Run())
}

func crashEffect(db *gorm.DB) func(ctx context.Context, ev outbox.Event[Account]) error {
	return func(ctx context.Context, ev outbox.Event[Account]) error {
		if err := db.WithContext(ctx).Create(&CrashDelivery{EventID: ev.ID}).Error; err != nil {
			return err
		}
		_, err := outboxgorm.Once(ctx, db, func(tx *gorm.DB) error { return tx.Create(&CrashEffect{EventID: ev.ID}).Error })
		return err
	}
}

func openCrashDB(dsn string) (*gorm.DB, error) {
	db, err := gorm.Open(sqlite.Dialector{DriverName: "sqlite", DSN: dsn}, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, err
	}
	return db, db.Use(signalsgorm.New())
}

// crashWorker delivers the outbox in-process until SIGTERM or SIGKILL.
func crashWorker(dsn string) {
	db, err := openCrashDB(dsn)
	if err != nil {
		log.Fatal(err)
	}
	signalsgorm.DurablePostSave(crashReceiver, crashEffect(db))
	ob, err := outboxgorm.New(db, outboxgorm.Config{Receivers: []string{crashReceiver}, LeaseTTL: time.Second,
		PollInterval: 50 * time.Millisecond, Batch: 100, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	ctx, _ := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	if err := ob.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// The embedded outbox survives kill -9 of the application process in the
// middle of 10 000 events (2 000 under the race detector, which slows the
// pure-Go SQLite fifteenfold): after the restart every event is delivered,
// duplicates carry the same event ID, and the idempotent receiver applied
// each event once.
func TestOutboxSurvivesKill9(t *testing.T) {
	longtest.Require(t, "crash test, 10 000 events")
	dsn := "file:" + filepath.Join(t.TempDir(), "crash.db") + "?_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)"
	db, err := openCrashDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AutoMigrate(&Account{}, &CrashEffect{}, &CrashDelivery{}); err != nil {
		t.Fatal(err)
	}
	ob, err := outboxgorm.New(db, outboxgorm.Config{Receivers: []string{crashReceiver}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := signalsgorm.DurablePostSave(crashReceiver, crashEffect(db))
	durable(t, h)

	total, perTx, killAt := 10000, 500, int64(3000)
	if raceEnabled {
		total, killAt = 2000, 600
	}
	write := func(from, to int) error {
		for i := from; i < to; i += perTx {
			accts := make([]Account, perTx)
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
	var cmd *exec.Cmd
	start := func() {
		cmd = exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "SIGNALS_GORM_HELPER=worker", "SIGNALS_GORM_HELPER_DSN="+dsn)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	kill := func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			kill()
		}
	})
	count := func(q string) int64 {
		var n int64
		if err := db.Raw(q).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	wait := func(n int64, d time.Duration) {
		deadline := time.Now().Add(d)
		for count("SELECT COUNT(*) FROM crash_effects") < n {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %d effects (have %d)", n, count("SELECT COUNT(*) FROM crash_effects"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	start()
	writing := make(chan error, 1)
	go func() { writing <- write(total/2, total) }()
	wait(killAt, 60*time.Second)
	kill()
	t.Logf("application killed at %d effects", count("SELECT COUNT(*) FROM crash_effects"))
	start()
	if err := <-writing; err != nil {
		t.Fatal(err)
	}
	wait(int64(total), 120*time.Second)
	time.Sleep(200 * time.Millisecond)
	kill()
	for _, c := range []struct {
		what, q string
		want    int64
	}{
		{"effects", "SELECT COUNT(*) FROM crash_effects", int64(total)},
		{"distinct effects", "SELECT COUNT(DISTINCT event_id) FROM crash_effects", int64(total)},
		{"distinct deliveries", "SELECT COUNT(DISTINCT event_id) FROM crash_deliveries", int64(total)},
		{"deliveries of unknown events", "SELECT COUNT(*) FROM crash_deliveries d WHERE NOT EXISTS (SELECT 1 FROM signals_outbox o WHERE o.event_id = d.event_id)", 0},
		{"outbox rows", "SELECT COUNT(*) FROM signals_outbox", int64(total)},
		{"dead letters", "SELECT COUNT(*) FROM signals_outbox WHERE status = 'dead'", 0},
	} {
		if got := count(c.q); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	t.Logf("%d deliveries for %d events", count("SELECT COUNT(*) FROM crash_deliveries"), total)
}
