package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gosignals/signals/examples/bookstore/shop"
	"github.com/gosignals/signals/internal/browsertest"
	"github.com/gosignals/signals/internal/testlog"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsriver"
)

// startRun runs Run in a goroutine until the test ends, and waits until
// its output says want.
func startRun(t *testing.T, cfg Config, want string) *testlog.Buffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &testlog.Buffer{}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v\n%s", err, out)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("Run did not return 30s after its context was cancelled\n%s", out)
		}
	})
	waitFor(t, 60*time.Second, "the output "+want, func() (bool, error) {
		select {
		case err := <-done:
			return false, fmt.Errorf("Run returned %v\n%s", err, out)
		default:
			return strings.Contains(out.String(), want), nil
		}
	})
	return out
}

// waitFor polls cond until it holds, fails or time runs out.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %s", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func count(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// The river engine, against the local PostgreSQL in a schema of the
// test's own: a producer (the bookstore, another connection pool with an
// engine of its own) creates authors; the worker sends each one welcome
// e-mail, also when River works a job again; an author whose transaction
// rolls back leaves no job.
func TestRiverEngine(t *testing.T) {
	requireService(t, "PostgreSQL", "127.0.0.1:5432")
	dsn, _ := pgSchema(t)
	startRun(t, Config{Engine: "river", Postgres: dsn}, "(engine river)")

	store, err := newRiverEngine(Config{}, []string{shop.WelcomeEmail})
	if err != nil {
		t.Fatal(err)
	}
	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if sqlDB, err := db.DB(); err == nil {
		t.Cleanup(func() { sqlDB.Close() })
	}
	if err := db.Use(signalsgorm.New(signalsgorm.WithOutbox(store.Store()))); err != nil {
		t.Fatal(err)
	}
	var authors []shop.Author
	for i, name := range []string{"Ada Palmer", "N. K. Jemisin", "Ted Chiang"} {
		a := shop.Author{Name: name, Email: fmt.Sprintf("author%d@example.com", i)}
		if err := db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		authors = append(authors, a)
	}
	// An update is a post_save too: its job runs, and sends nothing.
	if err := db.Model(&authors[0]).Update("name", "Ada Palmer (Terra Ignota)").Error; err != nil {
		t.Fatal(err)
	}
	errRollback := errors.New("rollback")
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&shop.Author{Name: "Rolled Back", Email: "rolledback@example.com"}).Error; err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("transaction: %v", err)
	}
	kind := signalsriver.Kind(shop.WelcomeEmail)
	completed := func() (bool, error) {
		return count(t, db, "SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = 'completed'", kind) == 4, nil
	}
	waitFor(t, 60*time.Second, "4 completed jobs", completed)

	// River works a job again (as after a worker's crash between the
	// e-mail and the job's completion): outboxgorm.Once skips it.
	var first int64
	if err := db.Raw("SELECT id FROM river_job WHERE kind = ? AND args->'event'->'instance'->>'Email' = ? AND (args->'event'->>'created')::bool", kind, authors[1].Email).Scan(&first).Error; err != nil || first == 0 {
		t.Fatalf("the job of %s: %d, %v", authors[1].Email, first, err)
	}
	if err := db.Exec("UPDATE river_job SET state = 'available', scheduled_at = now(), finalized_at = NULL, max_attempts = max_attempts + 1 WHERE id = ?", first).Error; err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the second attempt of the job", func() (bool, error) {
		return count(t, db, "SELECT COUNT(*) FROM river_job WHERE id = ? AND attempt = 2 AND state = 'completed'", first) == 1, nil
	})

	for _, a := range authors {
		if n := count(t, db, "SELECT COUNT(*) FROM emails WHERE \"to\" = ?", a.Email); n != 1 {
			t.Errorf("%d welcome e-mails to %s, want 1", n, a.Email)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM emails"); n != 3 {
		t.Errorf("%d e-mails, want 3", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM river_job WHERE args::text LIKE '%rolledback@%'"); n != 0 {
		t.Errorf("%d jobs for the rolled-back author, want 0", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM river_job"); n != 4 {
		t.Errorf("%d jobs, want 4 (3 creations, 1 update)", n)
	}
}

// The serve mode with the river engine: after the demo it serves on;
// /debug/signals lists the durable receiver, River UI's API lists the
// welcome e-mails' jobs, and headless Chromium renders River UI's job
// list (the screenshot river-ui-bookstore.png).
func TestRiverServe(t *testing.T) {
	requireService(t, "PostgreSQL", "127.0.0.1:5432")
	dsn, _ := pgSchema(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	out := startRun(t, Config{Engine: "river", Postgres: dsn, Demo: true, Listener: ln}, "Welcome to the bookstore, Octavia Butler")
	for _, want := range []string{"serving " + base + "/debug/signals", "serving " + base + "/riverui/"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	for _, name := range []string{"Ursula K. Le Guin", "Octavia E. Butler", "Becky Chambers"} {
		body := fmt.Sprintf(`{"Name": %q, "Email": "%s@example.com"}`, name, strings.Fields(name)[0])
		resp, err := http.Post(base+"/authors", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST /authors: %s", resp.Status)
		}
	}
	var jobs []apiJob
	waitFor(t, 60*time.Second, "4 completed jobs in River UI's API", func() (bool, error) {
		jobs = apiJobs(t, base+"/riverui/api/jobs?state=completed&limit=20")
		return len(jobs) == 4, nil
	})
	for _, j := range jobs {
		if j.Kind != signalsriver.Kind(shop.WelcomeEmail) || !strings.Contains(j.Args, `"receiver": "`+shop.WelcomeEmail+`"`) {
			t.Fatalf("job %+v", j)
		}
	}
	page := get(t, base+"/debug/signals")
	if !strings.Contains(page, shop.WelcomeEmail) {
		t.Fatalf("/debug/signals does not list %s:\n%s", shop.WelcomeEmail, page)
	}
	if ui := get(t, base+"/riverui/"); !strings.Contains(ui, "River") {
		t.Fatalf("/riverui/:\n%s", ui)
	}

	t.Run("chromium", func(t *testing.T) {
		br := browsertest.Chromium(t)
		br.VirtualTime = 10 * time.Second // River UI loads its jobs with scripts
		list := base + "/riverui/jobs?state=completed"
		dom := br.DOM(t, list)
		for _, want := range []string{signalsriver.Kind(shop.WelcomeEmail), signalsriver.Queue(shop.WelcomeEmail)} {
			if !strings.Contains(dom, want) {
				t.Fatalf("the page Chromium rendered lacks %q:\n%s", want, dom)
			}
		}
		br.Shoot(t, "river-ui-bookstore.png", list, 1400, 900)
	})
}

type apiJob struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"`
	Queue string `json:"queue"`
	Args  string `json:"args"`
}

// apiJobs returns the jobs River UI's API lists at url.
func apiJobs(t *testing.T, url string) []apiJob {
	t.Helper()
	var body struct {
		Data []apiJob `json:"data"`
	}
	if err := json.Unmarshal([]byte(get(t, url)), &body); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return body.Data
}

// get returns the body of url, which must answer 200.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v\n%s", url, resp.Status, err, b)
	}
	return string(b)
}
