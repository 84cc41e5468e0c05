package signalsdebug_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/internal/browsertest"
	"github.com/gosignals/signals/signalsdebug"
	"github.com/gosignals/signals/signalshttp"
)

// The page as a browser renders it: the DOM Chromium builds holds every
// receiver in call order, the statistics and the trace timeline; a
// screenshot is saved as a test artifact.
func TestPageInHeadlessChromium(t *testing.T) {
	br := browsertest.Chromium(t)
	fixture(t, "debug.browser")
	mux := http.NewServeMux()
	mux.Handle("/debug/signals/", signalsdebug.Handler())
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()
	url := srv.URL + "/debug/signals/"

	dom := br.DOM(t, url)

	// Chromium's DOM: the receivers of the signal, in call order, with
	// their statistics.
	article := regexp.MustCompile(`(?s)<article class="signal" id="signal-debug.browser" data-signal="debug.browser">.*?</article>`).FindString(dom)
	if article == "" {
		t.Fatalf("the DOM has no article for the signal:\n%s", dom)
	}
	rows := regexp.MustCompile(`(?s)<tr class="receiver" data-receiver="([^"]*)" data-mode="([^"]*)">.*?<td class="num calls">(\d+)</td>`).FindAllStringSubmatch(article, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1]+" "+r[2]+" calls="+r[3])
	}
	want := []string{"validate inline calls=4", "index &lt;search&gt; inline calls=4", "mail after_commit calls=3"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("receiver rows in the DOM:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if !strings.Contains(article, "<tbody>") || !strings.Contains(article, `<td class="num errors bad">1</td>`) {
		t.Fatalf("the statistics row is not in the DOM:\n%s", article)
	}
	if !strings.Contains(dom, `<b id="stats-state">on</b>`) {
		t.Fatal("the DOM does not say statistics are on")
	}

	// The trace timeline: its steps in firing order, each with a bar.
	trace := regexp.MustCompile(`(?s)<h3>#\d+ debug\.browser trace .*?</article>`).FindString(dom)
	steps := regexp.MustCompile(`<div class="step kind-(\w+) outcome-(\w+)" data-kind="\w+" data-outcome="\w+" data-depth="(\d)">`).FindAllStringSubmatch(trace, -1)
	if len(steps) != 27 {
		t.Fatalf("%d trace steps in the DOM, want 27:\n%s", len(steps), trace)
	}
	var first []string
	for _, s := range steps[:7] {
		first = append(first, s[3]+" "+s[1]+" "+s[2])
	}
	wantFirst := []string{"0 send ok", "1 receiver ok", "1 receiver ok", "2 send ok", "3 receiver ok", "4 sql ok", "1 receiver ok"}
	if strings.Join(first, ", ") != strings.Join(wantFirst, ", ") {
		t.Fatalf("first send's steps %v, want %v", first, wantFirst)
	}
	if last := steps[21]; last[1] != "send" || last[2] != "error" {
		t.Fatalf("the failing send is shown as %v", last)
	}
	if n := strings.Count(trace, `<div class="bar" style="left: `); n != 27 {
		t.Fatalf("%d bars in the timeline, want 27", n)
	}

	// The screenshot, kept as an artifact.
	br.Shoot(t, "signalsdebug.png", url, 1280, 900)
}

// A request served through signalshttp's middleware with WithTrace shows
// on the page as a trace named by its route, with the steps of its
// handler, and no tracing code in the handler.
func TestRequestTraceInHeadlessChromium(t *testing.T) {
	br := browsertest.Chromium(t)
	shelved := signals.New[string]("debug.request.shelved")
	shelved.ConnectFunc(func(ctx context.Context, id string) error {
		_, step := signals.StartStep(ctx, signals.StepSQL, "UPDATE shelves SET book_id = ?")
		step.End(nil)
		return nil
	}, signals.Name("shelve book"))
	t.Cleanup(func() { runtime.KeepAlive(shelved) })
	mux := http.NewServeMux()
	mux.HandleFunc("POST /shelves/{shelf}/books", func(w http.ResponseWriter, r *http.Request) {
		if err := shelved.Send(r.Context(), nil, r.PathValue("shelf")); err != nil {
			signalshttp.Fail(w, r, err)
		}
	})
	mux.Handle("/debug/signals/", signalsdebug.Handler())
	srv := httptest.NewServer(signalshttp.Middleware(signalshttp.WithTrace())(mux))
	defer srv.Close()
	res, err := http.Post(srv.URL+"/shelves/7/books", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	dom := br.DOM(t, srv.URL+"/debug/signals/")
	trace := regexp.MustCompile(`(?s)<h3>#\d+ POST /shelves/\{shelf\}/books .*?</article>`).FindString(dom)
	if trace == "" {
		t.Fatalf("the page shows no trace named POST /shelves/{shelf}/books:\n%s", dom)
	}
	steps := regexp.MustCompile(`data-kind="(\w+)" data-outcome="(\w+)" data-depth="(\d)">\s*<div class="label"[^>]*><span class="kind">\w+</span> <span class="name">([^<]*)</span>`).FindAllStringSubmatch(trace, -1)
	var got []string
	for _, s := range steps {
		got = append(got, s[3]+" "+s[1]+" "+s[4]+" "+s[2])
	}
	want := []string{"0 send debug.request.shelved ok", "1 receiver shelve book ok", "2 sql UPDATE shelves SET book_id = ? ok"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the request's trace shows:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
