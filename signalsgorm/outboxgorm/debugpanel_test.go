package outboxgorm_test

import (
	"context"
	"errors"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsdebug"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsgorm/outboxgorm"
)

// Record is the model of the panel's test: a field tagged sensitive.
type Record struct {
	ID    uint
	Title string
	Token string `signals:"sensitive"`
}

// The /debug/signals durable receivers panel on a real outbox: receivers
// with their backlog and last error, dead letters with redacted previews,
// and the replay button, which a POST with the page's token uses; headless
// Chromium renders it, and its screenshot is kept in .artifacts.
func TestDebugPanelOfTheOutbox(t *testing.T) {
	db := open(t, "sqlite")
	if err := db.AutoMigrate(&Record{}); err != nil {
		t.Fatal(err)
	}
	bad, good := "panel.failing", "panel.ok"
	fixed := false
	durable(t, signalsgorm.DurablePostSave(bad, func(_ context.Context, ev outbox.Event[Record]) error {
		if !fixed {
			return outbox.Permanent(errors.New(`template "invoice" not found`))
		}
		return nil
	}))
	durable(t, signalsgorm.DurablePostSave(good, func(context.Context, outbox.Event[Record]) error { return nil }))
	retrying := "panel.retrying" // no worker runs it: its rows wait, the first as a worker retrying it leaves it
	durable(t, signalsgorm.DurablePostSave(retrying, func(context.Context, outbox.Event[Record]) error { return nil }))
	ob := newOutbox(t, db, bad, outboxgorm.Config{})
	obGood := newOutbox(t, db, good, outboxgorm.Config{})
	for _, title := range []string{"first <b>", "second"} {
		if err := db.Create(&Record{Title: title, Token: "s3cr3t"}).Error; err != nil {
			t.Fatal(err)
		}
	}
	runOnce(t, ob)
	runOnce(t, obGood)
	if err := db.Exec("UPDATE "+outboxgorm.Table+" SET attempts = 3, last_error = ? WHERE id = (SELECT MIN(id) FROM "+outboxgorm.Table+" WHERE receiver = ?)",
		"dial tcp 10.0.0.7:25: connection refused", retrying).Error; err != nil {
		t.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/debug/signals/", signalsdebug.Handler(signalsdebug.WithOutbox("application database", ob), signalsdebug.AllowReplay()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	page := get(t, srv.URL+"/debug/signals/")
	for _, want := range []string{`data-receiver="panel.failing"`, `<td class="num dead bad">2</td>`, `template &#34;invoice&#34; not found`,
		`&#34;Token&#34;:&#34;[sensitive]&#34;`, `&#34;Title&#34;:&#34;[redacted]&#34;`,
		`data-receiver="panel.retrying">`, `<td class="num pending">2</td>`, `<td class="num attempts bad">3</td>`, "connection refused"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "s3cr3t") || strings.Contains(page, "first") {
		t.Error("a value reached the page")
	}

	inBrowser(t, srv.URL+"/debug/signals/")
	fixed = true
	replayFromPage(t, srv.URL, page)
	if n := runOnce(t, ob); n != 1 {
		t.Fatalf("the replayed dead letter: %d delivered", n)
	}
}

// inBrowser renders the page in headless Chromium: the DOM holds the dead
// letters and their replay buttons; the screenshot goes to .artifacts.
func inBrowser(t *testing.T, page string) {
	t.Helper()
	bin := chromiumBin()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (apt-get install -y chromium); CI=true requires it")
		}
		t.Log("chromium is not installed: the browser part is skipped")
		return
	}
	dom := chromiumRun(t, bin, "--dump-dom", page)
	rows := regexp.MustCompile(`<tr class="dead-letter" data-id="(\d+)" data-receiver="panel.failing">`).FindAllStringSubmatch(dom, -1)
	if len(rows) != 2 || !strings.Contains(dom, `<button type="submit">replay</button>`) {
		t.Fatalf("the DOM has %d dead letters and no replay button:\n%s", len(rows), dom)
	}
	shot := filepath.Join(artifacts(t), "signalsdebug-durable.png")
	chromiumRun(t, bin, "--screenshot="+shot, "--window-size=1280,1100", "--hide-scrollbars", page+"#durable")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cfg, err := png.DecodeConfig(f); err != nil || cfg.Width != 1280 {
		t.Fatalf("screenshot: %v %v", cfg, err)
	}
	t.Logf("screenshot: %s", shot)
}

// replayFromPage replays the page's first dead letter as its form does,
// and checks the page then says so.
func replayFromPage(t *testing.T, base, page string) {
	t.Helper()
	token := regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	id := regexp.MustCompile(`<tr class="dead-letter" data-id="(\d+)"`).FindStringSubmatch(page)
	if token == nil || id == nil {
		t.Fatal("no replay form on the page")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(base+"/debug/signals/durable/replay", url.Values{"token": {token[1]}, "outbox": {"application database"}, "id": {id[1]}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/debug/signals/?replayed=1#durable" {
		t.Fatalf("replay: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if !strings.Contains(get(t, base+"/debug/signals/?replayed=1"), "Replayed 1 dead letter") {
		t.Error("the page does not say what was replayed")
	}
}

func get(t *testing.T, u string) string {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, res.StatusCode, b)
	}
	return string(b)
}

// chromiumBin returns a headless-capable Chromium, or "" (the browser part
// is then skipped; under CI=true it is required).
func chromiumBin() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func chromiumRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// artifacts is where screenshots go: $SIGNALS_ARTIFACTS, or .artifacts at
// the repository root.
func artifacts(t *testing.T) string {
	dir := os.Getenv("SIGNALS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}
