package signalsdebug_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsdebug"
)

type Book struct {
	ID    int
	Title string
}

type bookEvent struct{ Title string }

// fixture connects receivers, sends with statistics on and records a trace
// named name; it returns the signal.
func fixture(t *testing.T, name string) *signals.Signal[bookEvent] {
	t.Helper()
	signals.SetLatencySampling(1)
	signals.EnableStats(true)
	t.Cleanup(func() {
		signals.EnableStats(false)
		signals.SetLatencySampling(signals.DefaultLatencySampling)
	})
	sig := signals.New[bookEvent](name)
	sig.SetLogger(slog.New(slog.DiscardHandler))
	indexed := signals.New[bookEvent](name + ".indexed")
	// The registry holds signals weakly: keep these reachable until the
	// test ends, or a garbage collection during it would drop them from
	// the page.
	t.Cleanup(func() { runtime.KeepAlive(sig); runtime.KeepAlive(indexed) })
	sig.ConnectFunc(func(ctx context.Context, ev bookEvent) error {
		time.Sleep(2 * time.Millisecond)
		return indexed.Send(ctx, nil, ev)
	}, signals.Name("index <search>"), signals.UID("index"))
	sig.ConnectFunc(func(_ context.Context, ev bookEvent) error {
		if ev.Title == "" {
			return errors.New("no title")
		}
		return nil
	}, signals.Name("validate"), signals.Priority(5))
	sig.ConnectFunc(func(context.Context, bookEvent) error { return nil }, signals.Name("mail"),
		signals.Mode("after_commit"), signals.Sender(reflect.TypeFor[Book]()))
	indexed.ConnectFunc(func(ctx context.Context, ev bookEvent) error {
		_, step := signals.StartStep(ctx, signals.StepSQL, "UPDATE search SET title = ?")
		step.End(nil)
		return nil
	}, signals.Name("reindex"))

	if _, err := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[Book](), Table: "books"}); err != nil {
		t.Fatal(err)
	}
	h := modelsignals.OnPostSave(func(context.Context, modelsignals.Save[Book]) error { return nil }, signals.Name("book cache"))
	t.Cleanup(func() { h.Disconnect() })

	ctx, tr := signals.StartTrace(t.Context(), name+" trace")
	for range 3 {
		_ = sig.SendRobust(ctx, reflect.TypeFor[Book](), bookEvent{Title: "Dune"})
	}
	_ = sig.SendRobust(ctx, nil, bookEvent{})
	tr.Stop()
	return sig
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func TestJSON(t *testing.T) {
	fixture(t, "debug.json")
	srv := httptest.NewServer(http.StripPrefix("/debug/signals", signalsdebug.Handler()))
	defer srv.Close()

	for _, path := range []string{"/debug/signals/?format=json", "/debug/signals/json"} {
		res, body := get(t, srv.URL+path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %s %s", path, res.Status, res.Header.Get("Content-Type"))
		}
		var snap signalsdebug.Snapshot
		if err := json.Unmarshal([]byte(body), &snap); err != nil {
			t.Fatal(err)
		}
		var sig *signalsdebug.Signal
		for i := range snap.Signals {
			if snap.Signals[i].Name == "debug.json" {
				sig = &snap.Signals[i]
			}
		}
		if sig == nil || !snap.StatsEnabled {
			t.Fatalf("%s: signal missing or stats off", path)
		}
		var got []string
		for _, r := range sig.Receivers {
			line := r.Name + " " + r.Mode + " " + r.Sender
			if r.Stats != nil {
				line += " " + strings.Join([]string{itoa(r.Stats.Calls), itoa(r.Stats.Errors), itoa(r.Stats.Panics)}, "/")
			}
			got = append(got, line)
		}
		want := []string{
			"validate inline  4/1/0",
			"index <search> inline  4/0/0",
			"mail after_commit signalsdebug_test.Book 3/0/0",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("receivers:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
		idx := sig.Receivers[1]
		if idx.UID != "index" || idx.Stats.P50NS < int64(2*time.Millisecond) || !strings.HasSuffix(idx.File, "handler_test.go") || idx.Line == 0 {
			t.Fatalf("index receiver %+v", idx)
		}
		var tr *signalsdebug.Trace
		for i := range snap.Traces {
			if snap.Traces[i].Name == "debug.json trace" {
				tr = &snap.Traces[i]
			}
		}
		// Three sends to three receivers (7 steps each with the nested
		// send, its receiver and its SQL), one to two (6 steps).
		if tr == nil || len(tr.Steps) != 3*7+6 || tr.Steps[0].Kind != "send" || tr.Steps[5].Kind != "sql" ||
			tr.Steps[5].Depth != 4 || tr.Steps[21].Outcome != "error" {
			t.Fatalf("trace %+v", tr)
		}
		var model *signalsdebug.Model
		for i := range snap.Models {
			if snap.Models[i].Label == "signalsdebug_test.Book" {
				model = &snap.Models[i]
			}
		}
		if model == nil || len(model.Signals) != 1 || model.Signals[0].Signal != "post_save" ||
			model.Signals[0].Receivers[0].Name != "book cache" {
			t.Fatalf("model %+v", model)
		}
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func TestHTML(t *testing.T) {
	fixture(t, "debug.html")
	srv := httptest.NewServer(signalsdebug.Handler())
	defer srv.Close()
	res, body := get(t, srv.URL+"/")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("%s %s", res.Status, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`data-signal="debug.html"`,
		`data-receiver="index &lt;search&gt;"`, // escaped
		`<span class="mode mode-after_commit">after_commit</span>`,
		`handler_test.go:`,
		`<b id="stats-state">on</b>`,
		`data-kind="sql" data-outcome="ok" data-depth="4"`,
		`style="left: `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "ZgotmplZ") || strings.Contains(body, "<search>") {
		t.Error("the template rejected or failed to escape a value")
	}

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", nil)
	post, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed || post.Header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("POST: %s, Allow %q", post.Status, post.Header.Get("Allow"))
	}
}
