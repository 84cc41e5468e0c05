package signalshttp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/internal/testlog"
	"github.com/gosignals/signals/signalshttp"
)

// serve starts a real server on 127.0.0.1 running h behind the test's
// middleware. Its error log is returned: net/http writes there what it
// thinks of panics. Each request that went through the middleware is then
// reported on rs.served.
func (rs *recorders) serve(t *testing.T, h http.Handler, opts ...signalshttp.Option) (*httptest.Server, *testlog.Buffer, *testlog.Buffer) {
	t.Helper()
	mw, logs := rs.middleware(h, opts...)
	rs.served = make(chan struct{}, 1000)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { rs.served <- struct{}{} }()
		mw.ServeHTTP(w, r)
	}))
	serverLog := &testlog.Buffer{}
	ts.Config.ErrorLog = log.New(serverLog, "", 0)
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, logs, serverLog
}

func TestServerStreaming(t *testing.T) {
	t.Parallel()
	rs := record(t)
	const chunks = 5
	chunk := strings.Repeat("x", 4000) + "\n" // several times net/http's buffer in all
	next := make(chan struct{})
	ts, _, _ := rs.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		for i := range chunks {
			_, _ = io.WriteString(w, chunk)
			var err error
			if i%2 == 0 {
				w.(http.Flusher).Flush()
			} else {
				err = rc.Flush() // through FlushError
			}
			if err != nil {
				t.Errorf("flush: %v", err)
				return
			}
			if i < chunks-1 {
				select {
				case <-next:
				case <-r.Context().Done():
					return
				}
			}
		}
	}))

	resp, err := ts.Client().Get(ts.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("transfer encoding %v, want a streamed response", resp.TransferEncoding)
	}
	br := bufio.NewReader(resp.Body)
	for i := range chunks {
		line, err := br.ReadString('\n')
		if err != nil || line != chunk {
			t.Fatalf("chunk %d: %d bytes, %v", i, len(line), err)
		}
		// The handler waits for us before the next chunk: it cannot have
		// finished.
		if i < chunks-1 {
			if n := rs.finished.Len(); n != 0 {
				t.Fatalf("request_finished sent %d times after chunk %d of %d", n, i+1, chunks)
			}
			next <- struct{}{}
		}
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after the last chunk: %q, %v", rest, err)
	}
	// The end of a chunked body is written after the handler returned, so
	// request_finished has been sent by now.
	rs.finished.AssertCount(1)
	ev := rs.finished.Last()
	if ev.Status != http.StatusOK || ev.Bytes != int64(chunks*len(chunk)) || ev.ClientGone || ev.Aborted || ev.Hijacked {
		t.Errorf("finished %+v, want 200 and %d bytes", ev, chunks*len(chunk))
	}
}

func TestServerClientDisconnects(t *testing.T) {
	t.Parallel()
	rs := record(t)
	chunk := strings.Repeat("y", 1000) + "\n"
	finishedCtxErr := make(chan error, 1)
	h := signalshttp.RequestFinished.ConnectFunc(func(ctx context.Context, ev signalshttp.FinishedEvent) error {
		finishedCtxErr <- ctx.Err()
		return nil
	}, signals.Sender(rs.sender))
	t.Cleanup(func() { h.Disconnect() })
	ts, _, _ := rs.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		for {
			_, _ = io.WriteString(w, chunk)
			if err := rc.Flush(); err != nil {
				return
			}
			select {
			case <-r.Context().Done():
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}))

	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/forever", nil)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != chunk {
		t.Fatalf("first chunk: %q, %v", line, err)
	}
	cancel() // the client goes away mid-stream
	resp.Body.Close()

	select {
	case err := <-finishedCtxErr:
		if err != nil {
			t.Errorf("receivers of request_finished got a cancelled context: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("request_finished not sent after the client went away")
	}
	ts.Close() // waits for the handler
	rs.finished.AssertCount(1)
	ev := rs.finished.Last()
	if !ev.ClientGone || ev.Status != http.StatusOK || ev.Bytes < int64(len(chunk)) || ev.Bytes%int64(len(chunk)) != 0 {
		t.Errorf("finished %+v, want ClientGone after whole chunks", ev)
	}
	rs.exc.AssertNotSent()
}

func TestServerHijack(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		hijack func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error)
	}{
		{"Hijacker", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) { return w.(http.Hijacker).Hijack() }},
		{"ResponseController", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return http.NewResponseController(w).Hijack()
		}},
		{"ResponseController through an inner writer", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return http.NewResponseController(unwrapping{opaque{w}}).Hijack()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs := record(t)
			ts, _, serverLog := rs.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				conn, buf, err := tt.hijack(w)
				if err != nil {
					t.Errorf("hijack: %v", err)
					return
				}
				defer conn.Close()
				_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nraw hi")
				_ = buf.Flush()
				w.WriteHeader(http.StatusTeapot) // too late: net/http logs it, the event ignores it
			}))
			resp, err := ts.Client().Get(ts.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(body) != "raw hi" {
				t.Fatalf("body %q, %v", body, err)
			}
			// The server does not wait for hijacked connections; wait for
			// the handler.
			rs.waitServed(t)
			rs.finished.AssertCount(1)
			if ev := rs.finished.Last(); !ev.Hijacked || ev.Status != 0 || ev.Bytes != 0 || ev.Aborted || ev.Err != nil {
				t.Errorf("finished %+v, want hijacked with nothing written through the writer", ev)
			}
			if !strings.Contains(serverLog.String(), "hijacked") {
				t.Errorf("server log %q: the late WriteHeader did not reach net/http", serverLog)
			}
		})
	}
}

func TestServerPanic(t *testing.T) {
	t.Parallel()
	rs := record(t)
	ts, logs, serverLog := rs.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/late" {
			_, _ = io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		panic("boom " + r.URL.Path)
	}))

	resp, err := ts.Client().Get(ts.URL + "/early")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || string(body) != "Internal Server Error\n" {
		t.Errorf("early panic: %d %q", resp.StatusCode, body)
	}
	rs.tl.AssertOrder("request_started", "got_request_exception", "request_finished")

	// After the header the client cannot get a 500: the response must break.
	resp, err = ts.Client().Get(ts.URL + "/late")
	if err != nil {
		t.Fatal(err)
	}
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "partial" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("late panic: %d %q %v, want a broken body", resp.StatusCode, body, err)
	}
	ts.Close()
	rs.tl.AssertOrder("request_started", "got_request_exception", "request_finished",
		"request_started", "got_request_exception", "request_finished")
	if ev := rs.finished.Last(); !ev.Aborted || ev.Bytes != 7 || ev.Status != http.StatusOK {
		t.Errorf("finished %+v", ev)
	}
	if n := strings.Count(logs.String(), "signalshttp: panic serving request"); n != 2 {
		t.Errorf("%d panics logged, want 2: %s", n, logs)
	}
	if serverLog.String() != "" {
		t.Errorf("net/http logged %q; the middleware should have handled the panics", serverLog)
	}
}

func TestServerErrAbortHandler(t *testing.T) {
	t.Parallel()
	rs := record(t)
	ts, logs, serverLog := rs.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	resp, err := ts.Client().Get(ts.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response (%d) to an aborted request", resp.StatusCode)
	}
	ts.Close()
	rs.exc.AssertNotSent()
	rs.finished.AssertSentOnce(func(ev signalshttp.FinishedEvent) bool { return ev.Aborted && ev.Status == 0 && ev.Err == nil })
	if logs.String() != "" || serverLog.String() != "" {
		t.Errorf("logged %q / %q for a deliberate abort", logs, serverLog)
	}
}

func TestServerInformationalAndReadFrom(t *testing.T) {
	t.Parallel()
	rs := record(t)
	file := filepath.Join(t.TempDir(), "data")
	content := strings.Repeat("0123456789", 10_000)
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	ts, _, _ := rs.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusPartialContent)
		f, err := os.Open(file)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		if _, err := w.(io.ReaderFrom).ReadFrom(f); err != nil { // net/http's sendfile path
			t.Error(err)
		}
		_, _ = io.Copy(w, struct{ io.Reader }{strings.NewReader("tail")}) // ReadFrom again, via io.Copy
	}))
	resp, err := ts.Client().Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusPartialContent || string(body) != content+"tail" {
		t.Fatalf("response %d, %d bytes, %v", resp.StatusCode, len(body), err)
	}
	ev := rs.finished.Last()
	if ev.Status != http.StatusPartialContent || ev.Bytes != int64(len(content)+4) {
		t.Errorf("finished status %d bytes %d, want 206 and %d", ev.Status, ev.Bytes, len(content)+4)
	}
}

// Fifty clients at once: every request sends exactly one of each signal, in
// order, with its own figures.
func TestServerConcurrentClients(t *testing.T) {
	t.Parallel()
	rs := record(t)
	const clients, perClient = 50, 8
	ts, _, _ := rs.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c, i int
		if _, err := fmt.Sscanf(r.URL.Path, "/c%d/r%d", &c, &i); err != nil {
			t.Error(err)
		}
		if i == 3 {
			panic(r.URL.Path)
		}
		w.WriteHeader(http.StatusOK + i%2) // 200 or 201
		_, _ = io.WriteString(w, r.URL.Path)
	}), signalshttp.WithLogger(discardLogger()))

	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				path := fmt.Sprintf("/c%d/r%d", c, i)
				resp, err := ts.Client().Get(ts.URL + path)
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := http.StatusOK + i%2
				if i == 3 {
					want = http.StatusInternalServerError
				} else if string(body) != path {
					t.Errorf("%s: body %q", path, body)
				}
				if resp.StatusCode != want {
					t.Errorf("%s: status %d, want %d", path, resp.StatusCode, want)
				}
			}
		}()
	}
	wg.Wait()
	ts.Close()

	type seqs struct{ started, exc, finished, nFinished int }
	byPath := map[string]*seqs{}
	at := func(r *http.Request) *seqs {
		s := byPath[r.URL.Path]
		if s == nil {
			s = &seqs{}
			byPath[r.URL.Path] = s
		}
		return s
	}
	for _, c := range rs.started.Calls() {
		at(c.Event.Request).started = c.Seq
	}
	for _, c := range rs.exc.Calls() {
		at(c.Event.Request).exc = c.Seq
	}
	for _, c := range rs.finished.Calls() {
		s := at(c.Event.Request)
		s.finished = c.Seq
		s.nFinished++
		ev := c.Event
		var cl, i int
		_, _ = fmt.Sscanf(ev.Request.URL.Path, "/c%d/r%d", &cl, &i)
		wantStatus, wantBytes := http.StatusOK+i%2, int64(len(ev.Request.URL.Path))
		if i == 3 {
			wantStatus, wantBytes = http.StatusInternalServerError, int64(len("Internal Server Error\n"))
		}
		if ev.Status != wantStatus || ev.Bytes != wantBytes || ev.ClientGone || ev.Duration <= 0 {
			t.Errorf("%s: finished %+v, want status %d, %d bytes", ev.Request.URL.Path, ev, wantStatus, wantBytes)
		}
	}
	if len(byPath) != clients*perClient {
		t.Fatalf("%d distinct requests seen, want %d", len(byPath), clients*perClient)
	}
	for path, s := range byPath {
		panicked := strings.HasSuffix(path, "/r3")
		if s.nFinished != 1 || s.started == 0 || s.started >= s.finished || (s.exc != 0) != panicked ||
			(panicked && !(s.started < s.exc && s.exc < s.finished)) {
			t.Errorf("%s: %+v, want started, [exception,] one finished, in order", path, *s)
		}
	}
	rs.exc.AssertCount(clients)
}
