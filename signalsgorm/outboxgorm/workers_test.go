package outboxgorm_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/internal/longtest"
	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// The worker-process tests run the outbox's workers in separate processes
// of this test binary (TestMain starts durableWorker when
// SIGNALS_GORM_HELPER=durable-worker), on a database the test writes
// events to. Each handler call is logged by the process to a file of its
// own, with its times; the test reads the logs and counts every event as
// written, delivered, duplicated or lost, and checks that no two calls of
// one event ran at once while both their contexts were live.

// What a handler does with an event, chosen by the event's account's
// Visits when it is written.
const (
	behaveOK    = 0
	behaveSlow  = 1 // takes 1.5 s (more than the lease), honouring its context
	behaveHang  = 2 // its first attempt ignores its context, for DeliveryTimeout and 2 s
	behavePanic = 3 // its first attempt panics
	behaveStuck = 4 // its first attempt ignores its context for a minute
)

// workerConfig is what a worker process gets, as JSON in
// SIGNALS_GORM_WORKER.
type workerConfig struct {
	Dialect, DSN, Receiver, Log                string
	LeaseTTL, DeliveryTimeout, ShutdownTimeout time.Duration
	Calm                                       bool // no hanging
}

// call is one handler call, as a worker logs it: a line of JSON.
type call struct {
	Worker    int    `json:"w"`
	Event     string `json:"e"`
	Attempt   int    `json:"a"`
	Start     int64  `json:"s"`  // Unix nanoseconds
	End       int64  `json:"t"`  // when it returned
	Cancelled int64  `json:"c"`  // when its context was cancelled, 0 if it was not
	Outcome   string `json:"o"`  // start (logged when it begins), ok, late (returned after its context was cancelled), error, panic
	Stopped   int64  `json:"st"` // a worker's last line: how long Run took to return after SIGTERM
}

// live returns the end of the call's live part: until it returned or its
// context was cancelled.
func (c call) live() int64 {
	if c.Cancelled != 0 && c.Cancelled < c.End {
		return c.Cancelled
	}
	return c.End
}

func openDSN(dialect, dsn string) (*gorm.DB, error) {
	var d gorm.Dialector
	switch dialect {
	case "sqlite":
		d = sqlite.Dialector{DriverName: "sqlite", DSN: dsn}
	case "postgres":
		d = postgres.Open(dsn)
	default:
		d = mysql.Open(dsn)
	}
	return gorm.Open(d, &gorm.Config{Logger: logger.Discard})
}

// dsnOf returns the DSN db was opened with.
func dsnOf(t *testing.T, db *gorm.DB) string {
	switch d := db.Dialector.(type) {
	case sqlite.Dialector:
		return d.DSN
	case *postgres.Dialector:
		return d.Config.DSN
	case *mysql.Dialector:
		return d.Config.DSN
	}
	t.Fatalf("no DSN for %T", db.Dialector)
	return ""
}

// durableWorker is a worker process: it delivers the receiver's events
// until SIGTERM, logging each handler call.
func durableWorker() {
	var cfg workerConfig
	if err := json.Unmarshal([]byte(os.Getenv("SIGNALS_GORM_WORKER")), &cfg); err != nil {
		log.Fatal(err)
	}
	db, err := openDSN(cfg.Dialect, cfg.DSN)
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Use(signalsgorm.New()); err != nil {
		log.Fatal(err)
	}
	f, err := os.OpenFile(cfg.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		log.Fatal(err)
	}
	logCall := func(c call) {
		c.Worker = os.Getpid()
		b, _ := json.Marshal(c)
		_, _ = f.Write(append(b, '\n'))
	}
	signalsgorm.DurablePostSave(cfg.Receiver, behave(logCall, cfg))
	ob, err := outboxgorm.New(db, outboxgorm.Config{Receivers: []string{cfg.Receiver}, LeaseTTL: cfg.LeaseTTL,
		DeliveryTimeout: cfg.DeliveryTimeout, ShutdownTimeout: cfg.ShutdownTimeout, PollInterval: 50 * time.Millisecond,
		Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxAttempts: 20, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	var stoppedAt time.Time
	go func() {
		<-term
		stoppedAt = time.Now()
		cancel()
	}()
	if err := ob.Run(ctx); err != nil {
		log.Fatal(err)
	}
	logCall(call{Stopped: int64(time.Since(stoppedAt))})
	os.Exit(0) // an abandoned handler may still run: it ends with the process
}

// behave is the workers' handler: it does what the event's Visits says and
// logs the call.
func behave(logCall func(call), cfg workerConfig) func(ctx context.Context, ev outbox.Event[Account]) error {
	return func(ctx context.Context, ev outbox.Event[Account]) (err error) {
		c := call{Event: ev.ID, Attempt: ev.Delivery.Attempt, Start: time.Now().UnixNano()}
		logCall(call{Event: c.Event, Attempt: c.Attempt, Start: c.Start, Outcome: "start"})
		var cancelled atomic.Int64
		stop := context.AfterFunc(ctx, func() { cancelled.Store(time.Now().UnixNano()) })
		defer func() {
			stop()
			c.End, c.Cancelled = time.Now().UnixNano(), cancelled.Load()
			v := recover()
			switch {
			case v != nil:
				c.Outcome = "panic"
			case err != nil:
				c.Outcome = "error"
			case ctx.Err() != nil:
				c.Outcome = "late"
			default:
				c.Outcome = "ok"
			}
			logCall(c)
			if v != nil {
				panic(v)
			}
		}()
		first := ev.Delivery.Attempt == 1 && !cfg.Calm
		switch {
		case ev.Instance.Visits == behaveSlow:
			select {
			case <-time.After(1500 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		case ev.Instance.Visits == behaveHang && first:
			time.Sleep(cfg.DeliveryTimeout + 2*time.Second) // past the timeout and the second the worker still waits
		case ev.Instance.Visits == behavePanic && first:
			panic("boom")
		case ev.Instance.Visits == behaveStuck && first:
			time.Sleep(time.Minute)
		}
		return nil
	}
}

// workers is a test's worker processes and their logs.
type workers struct {
	t    *testing.T
	cfg  workerConfig
	dir  string
	cmds []*exec.Cmd
}

// startWorkers starts n worker processes on db for receiver name.
func startWorkers(t *testing.T, db *gorm.DB, name string, n int, cfg workerConfig) *workers {
	cfg.Dialect, cfg.DSN, cfg.Receiver = db.Dialector.Name(), dsnOf(t, db), name
	w := &workers{t: t, cfg: cfg, dir: t.TempDir()}
	for range n {
		w.start(cfg)
	}
	t.Cleanup(func() {
		for _, c := range w.cmds {
			if c.ProcessState == nil {
				_ = c.Process.Signal(syscall.SIGKILL)
				_ = c.Wait()
			}
		}
	})
	return w
}

func (w *workers) start(cfg workerConfig) {
	cfg.Log = filepath.Join(w.dir, fmt.Sprintf("worker%d.log", len(w.cmds)))
	env, _ := json.Marshal(cfg)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SIGNALS_GORM_HELPER=durable-worker", "SIGNALS_GORM_WORKER="+string(env))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.cmds = append(w.cmds, cmd)
}

// calls reads every worker's log.
func (w *workers) calls() []call {
	var out []call
	files, _ := filepath.Glob(filepath.Join(w.dir, "*.log"))
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			w.t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var c call
			if err := json.Unmarshal(sc.Bytes(), &c); err == nil { // a line cut by a kill is skipped
				out = append(out, c)
			}
		}
		f.Close()
	}
	return out
}

// count counts the calls logged with outcome.
func (w *workers) count(outcome string) int64 {
	n := int64(0)
	for _, c := range w.calls() {
		if c.Outcome == outcome {
			n++
		}
	}
	return n
}

// rowOfEvent returns the status of the receiver's i-th row.
func rowOfEvent(t *testing.T, db *gorm.DB, name string, i int) string {
	t.Helper()
	var statuses []string
	if err := db.Table(outboxgorm.Table).Where("receiver = ?", name).Order("id").Pluck("status", &statuses).Error; err != nil {
		t.Fatal(err)
	}
	return statuses[i]
}

// delivered counts the events with a successful call.
func (w *workers) delivered() int64 {
	seen := map[string]bool{}
	for _, c := range w.calls() {
		if c.Outcome == "ok" {
			seen[c.Event] = true
		}
	}
	return int64(len(seen))
}

// stop sends SIGTERM to the running workers and checks that each returns
// from Run within bound.
func (w *workers) stop(bound time.Duration) {
	for _, c := range w.cmds {
		if c.ProcessState == nil {
			_ = c.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, c := range w.cmds {
		if c.ProcessState == nil {
			if err := c.Wait(); err != nil {
				w.t.Errorf("worker %d: %v", c.Process.Pid, err)
			}
		}
	}
	for _, c := range w.calls() {
		if c.Stopped != 0 && time.Duration(c.Stopped) > bound {
			w.t.Errorf("worker %d took %v to return from Run after SIGTERM, want at most %v", c.Worker, time.Duration(c.Stopped), bound)
		}
	}
}

// check counts the events: written (the accounts), delivered (a successful
// call), duplicated (more than one), lost (none; or a row not delivered),
// and fails on a lost event or two live calls of one event at once.
func (w *workers) check(db *gorm.DB, written int, wantNoDuplicates bool) {
	t := w.t
	t.Helper()
	byEvent := map[string][]call{}
	for _, c := range w.calls() {
		if c.Event != "" && c.Outcome != "start" {
			byEvent[c.Event] = append(byEvent[c.Event], c)
		}
	}
	delivered, duplicated, concurrent := 0, 0, 0
	for ev, calls := range byEvent {
		ok := 0
		for _, c := range calls {
			if c.Outcome == "ok" {
				ok++
			}
		}
		if ok > 0 {
			delivered++
		}
		if ok > 1 {
			duplicated++
		}
		slices.SortFunc(calls, func(a, b call) int { return int(a.Start - b.Start) })
		for i := 1; i < len(calls); i++ {
			if prev := calls[i-1]; calls[i].Start < prev.live() {
				concurrent++
				t.Errorf("event %s: call %+v began while %+v was live", ev, calls[i], prev)
			}
		}
	}
	var pending int64
	if err := db.Table(outboxgorm.Table).Where("receiver = ? AND status <> ?", w.cfg.Receiver, "delivered").Count(&pending).Error; err != nil {
		t.Fatal(err)
	}
	lost := written - delivered
	t.Logf("%s: %d events written, %d delivered, %d duplicated, %d lost, %d delivered concurrently; %d rows not delivered",
		w.cfg.Dialect, written, delivered, duplicated, lost, concurrent, pending)
	if lost != 0 || pending != 0 {
		t.Errorf("%d events lost, %d rows not delivered", lost, pending)
	}
	if wantNoDuplicates && duplicated != 0 {
		t.Errorf("%d events delivered more than once", duplicated)
	}
}

// writeEvents writes one account per behaviour given, in transactions of
// up to five, and returns how many events it wrote.
func writeEvents(t *testing.T, db *gorm.DB, behaviours []int) int {
	t.Helper()
	for i := 0; i < len(behaviours); i += 5 {
		var accts []Account
		for j, b := range behaviours[i:min(i+5, len(behaviours))] {
			accts = append(accts, Account{Email: fmt.Sprintf("w%d@x", i+j), Visits: b})
		}
		if err := db.Create(&accts).Error; err != nil {
			t.Fatal(err)
		}
	}
	return len(behaviours)
}

// openWorkers opens the test's database with the receiver registered (so
// that its writes go to the outbox) and the outbox's tables.
func openWorkers(t *testing.T, dialect, name string) *gorm.DB {
	db := open(t, dialect)
	if err := outboxgorm.Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	durable(t, signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[Account]) error { return nil }))
	return db
}

func repeat(b, n int) []int { return slices.Repeat([]int{b}, n) }

// Two worker processes, a lease of one second and handlers of one and a
// half: the heartbeat keeps the lease, so every event is delivered once,
// never twice at once.
func TestWorkerProcessesSlowHandlers(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.procs.slow." + dialect
		db := openWorkers(t, dialect, name)
		w := startWorkers(t, db, name, 2, workerConfig{LeaseTTL: time.Second, DeliveryTimeout: 10 * time.Second, ShutdownTimeout: 2 * time.Second})
		n := writeEvents(t, db, append(repeat(behaveSlow, 2), repeat(behaveOK, 5)...))
		waitProgress(t, 20*time.Second, "deliveries", w.delivered, int64(n))
		w.stop(4 * time.Second)
		w.check(db, n, true)
	})
}

// Two worker processes, handlers that hang ignoring their context past the
// delivery timeout, or panic: the attempts fail and are retried, the
// receiver goes on, nothing is lost, no event runs twice at once while live.
func TestWorkerProcessesHungAndPanickingHandlers(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.procs.hung." + dialect
		db := openWorkers(t, dialect, name)
		w := startWorkers(t, db, name, 2, workerConfig{LeaseTTL: time.Second, DeliveryTimeout: 300 * time.Millisecond, ShutdownTimeout: time.Second})
		var behaviours []int
		for i := range 9 {
			behaviours = append(behaviours, []int{behaveOK, behaveHang, behavePanic}[i%3])
		}
		n := writeEvents(t, db, behaviours)
		waitProgress(t, 20*time.Second, "deliveries", w.delivered, int64(n))
		w.stop(3 * time.Second)
		w.check(db, n, false)
		if panics, starts := w.count("panic"), w.count("start"); panics != 3 || starts < int64(n+6) {
			t.Errorf("%d panics, %d calls: the hung and panicking first attempts were not all retried", panics, starts)
		}
	})
}

// A worker stopped (SIGTERM) while a handler ignores its context returns
// from Run within ShutdownTimeout and a second; the abandoned event is
// delivered by the other worker once the lease expires.
func TestWorkerProcessStopsWithAStuckHandler(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		name := "test.procs.stuck." + dialect
		db := openWorkers(t, dialect, name)
		cfg := workerConfig{LeaseTTL: time.Second, DeliveryTimeout: time.Minute, ShutdownTimeout: 500 * time.Millisecond}
		w := startWorkers(t, db, name, 1, cfg)
		n := writeEvents(t, db, []int{behaveOK, behaveStuck, behaveOK})
		waitProgress(t, 20*time.Second, "the stuck call", func() int64 { return w.count("start") }, 2)
		w.stop(1500 * time.Millisecond)
		if status := rowOfEvent(t, db, name, 1); status != "pending" {
			t.Fatalf("the abandoned delivery left its row %s", status)
		}
		calm := w.cfg
		calm.Calm = true
		w.start(calm)
		waitProgress(t, 20*time.Second, "deliveries", w.delivered, int64(n))
		w.stop(2 * time.Second)
		w.check(db, n, false)
	})
}

// The long variant: three worker processes, mixed handlers, and the
// worker delivering killed (SIGKILL) twice; a new one starts each time.
func TestWorkerProcessesKilled(t *testing.T) {
	longtest.Require(t, "worker processes killed while delivering")
	each(t, func(t *testing.T, dialect string) {
		name := "test.procs.kill." + dialect
		db := openWorkers(t, dialect, name)
		w := startWorkers(t, db, name, 3, workerConfig{LeaseTTL: time.Second, DeliveryTimeout: 2 * time.Second, ShutdownTimeout: time.Second})
		var behaviours []int
		for i := range 120 {
			behaviours = append(behaviours, []int{behaveOK, behaveOK, behaveOK, behavePanic, behaveHang, behaveSlow}[i%6]*boolInt(i%12 < 6))
		}
		n := writeEvents(t, db, behaviours)
		for kill := 1; kill <= 2; kill++ {
			waitProgress(t, 30*time.Second, "deliveries before a kill", w.delivered, int64(kill*n/3))
			w.killBusiest()
			w.start(w.cfg)
		}
		waitProgress(t, 30*time.Second, "deliveries", w.delivered, int64(n))
		w.stop(3 * time.Second)
		w.check(db, n, false)
	})
}

// killBusiest kills (SIGKILL) the running worker that logged the latest
// call: the one holding the lease.
func (w *workers) killBusiest() {
	var pid int
	var latest int64
	for _, c := range w.calls() {
		if c.Start > latest {
			latest, pid = c.Start, c.Worker
		}
	}
	for _, c := range w.cmds {
		if c.Process.Pid == pid && c.ProcessState == nil {
			_ = c.Process.Signal(syscall.SIGKILL)
			_ = c.Wait()
			w.t.Logf("killed worker %d", pid)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
