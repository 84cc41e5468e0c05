// Package browsertest runs headless Chromium for the project's browser
// tests: the pages of /debug/signals and River UI, rendered as a user's
// browser renders them, and their screenshots kept as artifacts.
//
// A test that needs Chromium skips when it is not installed (apt-get
// install -y chromium) and fails when CI=true, as the tests that need a
// database do.
package browsertest

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals/internal/procgroup"
)

// Browser is a headless Chromium.
type Browser struct {
	// Bin is the executable.
	Bin string
	// VirtualTime, when set, lets a single-page application's scripts load
	// and call their API for that much virtual time before the DOM is
	// dumped or the page shot (--virtual-time-budget).
	VirtualTime time.Duration
}

// Find returns a headless-capable Chromium, nil when none is installed.
func Find() *Browser {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return &Browser{Bin: p}
		}
	}
	return nil
}

// Chromium returns a headless-capable Chromium, or skips t (fails it when
// CI=true).
func Chromium(t testing.TB) *Browser {
	t.Helper()
	if b := Find(); b != nil {
		return b
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI=true requires it")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium): skipping the browser test")
	return nil
}

// Run runs headless Chromium with args, in a profile of its own and with
// the network features that would call outside the machine off, and
// returns what it printed.
func (b *Browser) Run(t testing.TB, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
	if b.VirtualTime > 0 {
		base = append(base, fmt.Sprintf("--virtual-time-budget=%d", b.VirtualTime.Milliseconds()))
	}
	cmd := exec.CommandContext(ctx, b.Bin, append(base, args...)...)
	procgroup.Set(cmd)               // Chromium's helper processes too
	cmd.WaitDelay = 10 * time.Second // they may hold its output open
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// DOM returns the DOM Chromium builds for url.
func (b *Browser) DOM(t testing.TB, url string) string {
	t.Helper()
	return string(b.Run(t, "--dump-dom", url))
}

// Shoot saves a screenshot of url, w×h pixels, as name in [Artifacts],
// checks that it is a PNG of that size, and returns its path.
func (b *Browser) Shoot(t testing.TB, name, url string, w, h int) string {
	t.Helper()
	shot := filepath.Join(Artifacts(t), name)
	b.Run(t, "--screenshot="+shot, fmt.Sprintf("--window-size=%d,%d", w, h), "--hide-scrollbars", url)
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
	return shot
}

// Artifacts returns the directory screenshots are kept in, creating it:
// $SIGNALS_ARTIFACTS, or .artifacts at the root of the repository (the
// directory of go.work above the test's working directory).
func Artifacts(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SIGNALS_ARTIFACTS")
	if dir == "" {
		root, err := filepath.Abs(".")
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(root, "go.work")); err == nil {
				break
			}
			up := filepath.Dir(root)
			if up == root {
				t.Fatal("browsertest: no go.work above the working directory; set SIGNALS_ARTIFACTS")
			}
			root = up
		}
		dir = filepath.Join(root, ".artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
