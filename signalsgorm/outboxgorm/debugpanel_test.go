package outboxgorm_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gosignals/signals/internal/browsertest"
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
	br := browsertest.Find()
	if br == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (apt-get install -y chromium); CI=true requires it")
		}
		t.Log("chromium is not installed: the browser part is skipped")
		return
	}
	dom := br.DOM(t, page)
	rows := regexp.MustCompile(`<tr class="dead-letter" data-id="(\d+)" data-receiver="panel.failing">`).FindAllStringSubmatch(dom, -1)
	if len(rows) != 2 || !strings.Contains(dom, `<button type="submit">replay</button>`) {
		t.Fatalf("the DOM has %d dead letters and no replay button:\n%s", len(rows), dom)
	}
	br.Shoot(t, "signalsdebug-durable.png", page+"#durable", 1280, 1100)
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
