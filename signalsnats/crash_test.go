package signalsnats_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gosignals/signals/internal/longtest"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsnats"
	"github.com/gosignals/signals/signalswatermill"
	"github.com/gosignals/signals/signalswatermill/wmtest"
)

// TestMain turns the test binary into the relay or the worker process of
// the crash test when SIGNALS_HELPER says so.
func TestMain(m *testing.M) {
	switch os.Getenv("SIGNALS_HELPER") {
	case "relay":
		helperRelay()
		return
	case "worker":
		helperWorker()
		return
	}
	os.Exit(m.Run())
}

func helperConfig() signalsnats.Config {
	return signalsnats.Config{URL: os.Getenv("SIGNALS_HELPER_NATS"), Stream: os.Getenv("SIGNALS_HELPER_STREAM"),
		TopicPrefix: os.Getenv("SIGNALS_HELPER_PREFIX"), AckWait: 30 * time.Second, Logger: wmtest.Quiet}
}

func helperContext() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	return ctx
}

func helperRelay() {
	cfg := helperConfig()
	db, err := sql.Open("pgx", os.Getenv("SIGNALS_HELPER_DSN"))
	if err != nil {
		log.Fatal(err)
	}
	pub, err := signalsnats.Publisher(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ob := &signalswatermill.SQLOutbox{Dialect: signalswatermill.Postgres, TopicPrefix: cfg.TopicPrefix, Logger: wmtest.Quiet}
	relay, err := ob.Relay(db, pub)
	if err != nil {
		log.Fatal(err)
	}
	if err := relay.Run(helperContext()); err != nil {
		log.Fatal(err)
	}
}

func helperWorker() {
	cfg := helperConfig()
	db, err := gorm.Open(postgres.Open(os.Getenv("SIGNALS_HELPER_DSN")), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		log.Fatal(err)
	}
	sqlDB, _ := db.DB()
	name := os.Getenv("SIGNALS_HELPER_RECEIVER")
	signalsgorm.DurablePostSave(name, wmtest.EffectReceiver(db))
	ob := &signalswatermill.SQLOutbox{Dialect: signalswatermill.Postgres, TopicPrefix: cfg.TopicPrefix}
	w, err := signalswatermill.NewWorker(signalswatermill.WorkerConfig{Receivers: []string{name}, TopicPrefix: cfg.TopicPrefix,
		Subscriber: signalsnats.Subscriber(cfg), DeadLetters: &signalswatermill.DeadLetterTable{DB: sqlDB, Outbox: ob}, Logger: wmtest.Quiet})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Run(helperContext()); err != nil {
		log.Fatal(err)
	}
}

// helper is a relay or worker process of the crash test.
type helper struct {
	t    *testing.T
	role string
	env  []string
	cmd  *exec.Cmd
	runs int
}

func (h *helper) start() {
	h.t.Helper()
	h.runs++
	out, err := os.Create(filepath.Join(h.t.TempDir(), fmt.Sprintf("%s-%d.log", h.role, h.runs)))
	if err != nil {
		h.t.Fatal(err)
	}
	h.cmd = exec.Command(os.Args[0])
	h.cmd.Env = append(append(os.Environ(), "SIGNALS_HELPER="+h.role), h.env...)
	h.cmd.Stdout, h.cmd.Stderr = out, out
	if err := h.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() {
		if h.cmd.ProcessState == nil {
			_ = h.cmd.Process.Kill()
			_ = h.cmd.Wait()
		}
	})
}

// kill9 kills the process with SIGKILL: no clean-up, no acknowledgement.
func (h *helper) kill9() {
	h.t.Helper()
	if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		h.t.Fatal(err)
	}
	_ = h.cmd.Wait()
}

// The relay, then the worker, is killed with SIGKILL in the middle of
// 10 000 events and restarted: every event is delivered, duplicates carry
// the event ID of an outbox row, and the idempotent receiver applied each
// event exactly once.
func TestCrashRelayAndWorker(t *testing.T) {
	longtest.Require(t, "crash test, 10 000 events")
	cfg := natsConfig(t, natsURL())
	dsn := wmtest.Database(t, "postgres")
	a := wmtest.OpenApp(t, "postgres", dsn, cfg.TopicPrefix)
	name := wmtest.Unique("nats.crash.")
	h := signalsgorm.DurablePostSave(name, wmtest.EffectReceiver(a.DB))
	t.Cleanup(func() { h.Disconnect() })
	const total, perTx = 10000, 500
	write := func(from, to int) error {
		for i := from; i < to; i += perTx {
			accts := make([]wmtest.Account, perTx)
			for j := range accts {
				accts[j].Email = fmt.Sprintf("u%d@x", i+j)
			}
			if err := a.DB.Create(&accts).Error; err != nil {
				return err
			}
		}
		return nil
	}
	if err := write(0, total/2); err != nil {
		t.Fatal(err)
	}
	env := []string{"SIGNALS_HELPER_DSN=" + dsn, "SIGNALS_HELPER_NATS=" + cfg.URL, "SIGNALS_HELPER_STREAM=" + cfg.Stream,
		"SIGNALS_HELPER_PREFIX=" + cfg.TopicPrefix, "SIGNALS_HELPER_RECEIVER=" + name}
	relay := &helper{t: t, role: "relay", env: env}
	worker := &helper{t: t, role: "worker", env: env}
	worker.start()
	relay.start()
	writing := make(chan error, 1)
	go func() { writing <- write(total/2, total) }()

	effects := func() int64 { return a.Count(t, "SELECT COUNT(*) FROM effects") }
	wmtest.WaitProgress(t, 60*time.Second, "2 500 effects", effects, 2500)
	relay.kill9()
	t.Logf("relay killed at %d effects", effects())
	time.Sleep(500 * time.Millisecond)
	relay.start()
	wmtest.WaitProgress(t, 60*time.Second, "6 000 effects", effects, 6000)
	worker.kill9()
	t.Logf("worker killed at %d effects", effects())
	time.Sleep(500 * time.Millisecond)
	worker.start()
	if err := <-writing; err != nil {
		t.Fatal(err)
	}
	wmtest.WaitProgress(t, 120*time.Second, "every effect", effects, int64(total))
	time.Sleep(time.Second) // let redeliveries in flight land
	relay.kill9()
	worker.kill9()

	// The forwarder wraps each event in a message of its own: the event ID
	// is the wrapped message's uuid.
	if n := a.Count(t, `SELECT COUNT(*) FROM "watermill_signals_outbox"`); n != total {
		t.Fatalf("%d outbox rows, want %d", n, total)
	}
	checks := []struct {
		what  string
		query string
		want  int64
	}{
		{"effects", "SELECT COUNT(*) FROM effects", total},
		{"distinct effects", "SELECT COUNT(DISTINCT event_id) FROM effects", total},
		{"distinct deliveries", "SELECT COUNT(DISTINCT event_id) FROM deliveries", total},
		{"outbox events never delivered", `SELECT COUNT(*) FROM "watermill_signals_outbox" o WHERE NOT EXISTS (SELECT 1 FROM effects e WHERE e.event_id = o.payload->>'uuid')`, 0},
		{"deliveries of unknown event IDs", `SELECT COUNT(*) FROM deliveries d WHERE NOT EXISTS (SELECT 1 FROM "watermill_signals_outbox" o WHERE o.payload->>'uuid' = d.event_id)`, 0},
		{"dead letters", "SELECT COUNT(*) FROM " + signalswatermill.DeadLetterTableName, 0},
	}
	for _, c := range checks {
		if got := a.Count(t, c.query); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	t.Logf("%d deliveries for %d events (%d redelivered, with the same event ID)",
		a.Count(t, "SELECT COUNT(*) FROM deliveries"), total, a.Count(t, "SELECT COUNT(*) FROM deliveries")-total)
}
