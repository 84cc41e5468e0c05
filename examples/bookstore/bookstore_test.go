package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gosignals/signals/examples/bookstore/shop"
)

// The scenario runs end to end and prints the signals and receivers in
// Django's firing order.
func TestScenario(t *testing.T) {
	var out bytes.Buffer
	if err := runScenario(t.Context(), &out, t.TempDir(), false); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	// Reduce each trace line to "kind name" to compare the order.
	line := regexp.MustCompile(`(?m)^\s+\S+ms\s+\S+ms\s+(\S+)\s+(.*?)\s{2}(ok|error.*)$`)
	var seq []string
	for _, m := range line.FindAllStringSubmatch(got, -1) {
		if m[1] == "sql" {
			continue
		}
		seq = append(seq, m[1]+" "+m[2])
	}
	joined := strings.Join(seq, "\n")
	for _, want := range [][]string{
		// Opening: a new connection, the models, the migration.
		{"send connection_created (default)", "receiver sqlite pragmas", "send class_prepared (bookstore.Author)",
			"send post_migrate (default)", "receiver seed default tags"},
		// Creating a book: pre_save (default title), then post_save with
		// the notification, the audit log and the deferred cache
		// invalidation, which runs on commit.
		{"send pre_save (bookstore.Book)", "receiver default title", "send post_save (bookstore.Book)",
			"receiver notify new book", "receiver audit log", "receiver invalidate catalog cache [after_commit]",
			"on_commit invalidate catalog cache"},
		// Tagging: pre_add, the write, post_add; the receiver's line shows
		// the action and pk_set it was sent.
		{"send m2m_changed (bookstore.Book_Tags)", "receiver tag counters  pre_add pk_set=[2 1]",
			"send m2m_changed (bookstore.Book_Tags)", "receiver tag counters  post_add pk_set=[2 1]"},
		// Replacing: the new tag added, the old one removed.
		{"receiver tag counters  pre_add pk_set=[3]", "receiver tag counters  post_add pk_set=[3]",
			"receiver tag counters  pre_remove pk_set=[1]", "receiver tag counters  post_remove pk_set=[1]"},
		// The refusal.
		{"send pre_save (bookstore.Book)", "receiver default title"},
		// The cascade: pre_delete of the books, then the comments' and the
		// books' post_delete before the author's.
		{"send pre_delete (bookstore.Book)", "receiver untag deleted book", "send post_delete (bookstore.Comment)",
			"send post_delete (bookstore.Book)", "receiver audit delete", "receiver remove cover file",
			"send post_delete (bookstore.Author)", "on_commit invalidate catalog cache"},
	} {
		if !containsInOrder(seq, want) {
			t.Errorf("the output does not list, in order:\n\t%s\nit lists:\n\t%s", strings.Join(want, "\n\t"), strings.ReplaceAll(joined, "\n", "\n\t"))
		}
	}
	for _, want := range []string{
		"→ refused as expected: this title is not allowed here",
		`notification: A book titled "Untitled" was added.`,
		"audit: alice  changed  bookstore.Book   Title: Untitled → Dune Messiah",
		"audit: alice  updated  bookstore.Book   map[InPrint:false] of 2 row(s)",
		"audit: alice  deleted  bookstore.Author origin bookstore.Author",
		// The migration probes and the outbox's bookkeeping, folded.
		"migration probes: does the table exist? (-v lists them)",
		"outbox bookkeeping statements on signals_outbox, signals_outbox_leases, signals_processed (-v lists them)",
		// The refusal's error, in full.
		"error: signals: pre_save receiver default title (bookstore/shop/receivers.go:",
		"): this title is not allowed here\n",
		`tag "classic"    used by 0 book(s)`,
		"cover file removed: true",
		"books left: 0, comments left: 0",
		"catalog cache invalidated after commit: 5 times",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	for _, unwanted := range []string{"rows=-1", "…  error", "sqlite_master", "signals_outbox_leases (receiver"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("the output has %q", unwanted)
		}
	}
	if t.Failed() {
		t.Log(got)
	}
}

// With -v, every statement is listed.
func TestScenarioVerbose(t *testing.T) {
	var out bytes.Buffer
	if err := runScenario(t.Context(), &out, t.TempDir(), true); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"sql       SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?  ok",
		"sql       INSERT INTO signals_outbox_leases (receiver, owner, expires_at)",
		"    sql       INSERT INTO signals_processed"} {
		if !strings.Contains(got, want) {
			t.Errorf("the verbose output lacks %q", want)
		}
	}
	if strings.Contains(got, "-v lists them") {
		t.Error("the verbose output folds statements")
	}
}

func containsInOrder(seq, want []string) bool {
	i := 0
	for _, s := range seq {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	return i == len(want)
}

// serve: real HTTP requests through the request-signals middleware; the
// audit log knows who made each change.
func TestServe(t *testing.T) {
	app, err := Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	log := &syncWriter{w: &bytes.Buffer{}}
	h := LogRequests(log)
	defer h.Disconnect()
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()

	do := func(method, path, user, body string, want int) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if user != "" {
			req.Header.Set("X-User", user)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		return b
	}
	var author shop.Author
	json.Unmarshal(do("POST", "/authors", "bob", `{"Name":"Ursula K. Le Guin"}`, 201), &author)
	var book shop.Book
	json.Unmarshal(do("POST", "/books", "bob", `{"AuthorID":`+itoa(author.ID)+`}`, 201), &book)
	if book.Title != "Untitled" {
		t.Fatalf("pre_save did not set the title: %+v", book)
	}
	do("PATCH", "/books/"+itoa(book.ID), "carol", `{"Title":"The Dispossessed"}`, 200)
	do("POST", "/books", "bob", `{"Title":"forbidden"}`, 422)
	do("GET", "/books", "", "", 200)
	do("DELETE", "/authors/"+itoa(author.ID), "dave", "", 200)
	do("DELETE", "/books/999", "dave", "", 404)

	var audit []shop.AuditLog
	json.Unmarshal(do("GET", "/audit", "", "", 200), &audit)
	var lines []string
	for _, a := range audit {
		lines = append(lines, a.User+" "+a.Action+" "+a.Object+" "+a.Changes)
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"bob created bookstore.Author",
		"bob created bookstore.Book",
		"carol changed bookstore.Book Title: Untitled → The Dispossessed",
		"dave deleted bookstore.Book",
		"dave deleted bookstore.Author",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("audit log lacks %q:\n%s", want, got)
		}
	}
	page := string(do("GET", "/debug/signals", "", "", 200))
	if !strings.Contains(page, "post_save") || !strings.Contains(page, "audit log") {
		t.Error("the debug page does not list the receivers")
	}
	// Each request is a trace named by its route, with what it set off.
	for _, want := range []string{"PATCH /books/{id}", "DELETE /authors/{id}", "POST /books"} {
		if !regexp.MustCompile(`<h3>#\d+ ` + regexp.QuoteMeta(want) + ` <`).MatchString(page) {
			t.Errorf("the debug page lists no trace %q", want)
		}
	}
	if !strings.Contains(page, `<span class="name">post_delete</span>`) {
		t.Error("the request traces do not show the cascade's post_delete")
	}
	requests := log.String()
	if !strings.Contains(requests, "PATCH /books/"+itoa(book.ID)+" carol → 200") || !strings.Contains(requests, "POST /books bob → 422") {
		t.Errorf("request timing log:\n%s", requests)
	}
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

// syncWriter serialises writes from request goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.(*bytes.Buffer).String()
}
