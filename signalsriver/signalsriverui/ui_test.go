package signalsriverui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals/signalsriver/internal/demo"
	"github.com/gosignals/signals/signalsriver/internal/rtest"
	"github.com/gosignals/signals/signalsriver/signalsriverui"
)

// chromium returns the path of a headless-capable Chromium, or skips the
// test (fails it when CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI=true requires it")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium): skipping the browser test")
	return ""
}

// runChromium runs headless Chromium with args and returns its output.
// River UI is a single-page application: the virtual time budget lets its
// scripts load and call the API before the DOM is dumped or the page shot.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--virtual-time-budget=10000", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// artifactDir is where the screenshots are kept: $SIGNALS_ARTIFACTS, or
// .artifacts at the repository root.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SIGNALS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// River UI over the demo's durable receivers, with real jobs in every
// state: its API lists them, the page Chromium renders shows them, and
// screenshots of the job list and of a discarded job are kept as
// artifacts (river-ui.png, river-ui-job.png).
func TestRiverUIInHeadlessChromium(t *testing.T) {
	bin := chromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := demo.Open(ctx, "", filepath.Join(t.TempDir(), "demo.db"), rtest.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Stop)
	sqlDB, _ := app.DB.DB()
	t.Cleanup(func() { sqlDB.Close() })
	if err := app.Write(ctx, 12); err != nil {
		t.Fatal(err)
	}
	rtest.Run(t, app.Worker)
	finalized := func() int64 {
		return rtest.Count(t, app.DB, "SELECT COUNT(*) FROM river_job WHERE state IN ('completed', 'cancelled', 'discarded')")
	}
	// 12 welcome + 12 invoice (after 2 failures) + 8 audits completed, 4
	// audits cancelled, 12 partner syncs discarded; 12 reports running.
	rtest.WaitProgress(t, 60*time.Second, "the jobs' final states", finalized, 48)

	h, err := signalsriverui.Handler(ctx, app.Worker.Client(), signalsriverui.Options{Prefix: "/riverui", Logger: rtest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/riverui/", h)
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()

	discarded := apiJobs(t, srv.URL+"/riverui/api/jobs?state=discarded&limit=20")
	if len(discarded) != 12 {
		t.Fatalf("River UI's API lists %d discarded jobs, want 12", len(discarded))
	}
	for _, j := range discarded {
		if j.Kind != "signals."+demo.Sync || j.Attempt != 3 || !strings.Contains(j.Args, `"receiver":"`+demo.Sync+`"`) {
			t.Fatalf("discarded job %+v", j)
		}
	}

	list := srv.URL + "/riverui/jobs?state=completed"
	dom := string(runChromium(t, bin, "--dump-dom", list))
	for _, want := range []string{"signals." + demo.Invoice, "signals_billing_open_invoice"} {
		if !strings.Contains(dom, want) {
			t.Fatalf("the page Chromium rendered lacks %q:\n%s", want, dom)
		}
	}
	shoot(t, bin, "river-ui.png", list, 1400, 900)
	shoot(t, bin, "river-ui-job.png", fmt.Sprintf("%s/riverui/jobs/%d", srv.URL, discarded[0].ID), 1400, 1000)
}

type apiJob struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	Attempt int    `json:"attempt"`
	Args    string `json:"args"`
}

func apiJobs(t *testing.T, url string) []apiJob {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data []apiJob `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	return body.Data
}

// shoot saves a screenshot of url and checks it is a PNG of that size.
func shoot(t *testing.T, bin, name, url string, w, h int) {
	t.Helper()
	shot := filepath.Join(artifactDir(t), name)
	runChromium(t, bin, "--screenshot="+shot, fmt.Sprintf("--window-size=%d,%d", w, h), "--hide-scrollbars", url)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != w || cfg.Height != h {
		t.Fatalf("screenshot %s: %dx%d, %v; want a %dx%d PNG", shot, cfg.Width, cfg.Height, err, w, h)
	}
	t.Logf("screenshot: %s", shot)
}
