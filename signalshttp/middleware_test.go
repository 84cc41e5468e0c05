package signalshttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/internal/testlog"
	"github.com/gosignals/signals/signalshttp"
)

func TestFinishedStatusAndBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantBytes  int64
		wantBody   string
	}{
		{"WriteHeader and Write", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte("created"))
		}, http.StatusCreated, 7, "created"},
		{"Write only", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "hello")
			_, _ = w.Write([]byte(", world"))
		}, http.StatusOK, 12, "hello, world"},
		{"nothing written", func(w http.ResponseWriter, r *http.Request) {}, http.StatusOK, 0, ""},
		{"WriteHeader only", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, http.StatusNoContent, 0, ""},
		{"second WriteHeader ignored", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			w.WriteHeader(http.StatusTeapot)
		}, http.StatusAccepted, 0, ""},
		{"Flush commits 200", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			w.WriteHeader(http.StatusTeapot)
		}, http.StatusOK, 0, ""},
		{"http.Error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "nope", http.StatusForbidden)
		}, http.StatusForbidden, 5, "nope\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs := record(t)
			h, _ := rs.middleware(tt.handler)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))

			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Errorf("response %d %q, want %d %q", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			rs.finished.AssertCount(1)
			ev := rs.finished.Last()
			if ev.Status != tt.wantStatus || ev.Bytes != tt.wantBytes {
				t.Errorf("finished: status %d bytes %d, want %d %d", ev.Status, ev.Bytes, tt.wantStatus, tt.wantBytes)
			}
			if ev.Err != nil || ev.ClientGone || ev.Hijacked || ev.Aborted {
				t.Errorf("finished: unexpected flags %+v", ev)
			}
			rs.exc.AssertNotSent()
			rs.tl.AssertOrder("request_started", "request_finished")
		})
	}
}

func TestStartedSeesTheHandlersRequest(t *testing.T) {
	t.Parallel()
	rs := record(t)
	var got *http.Request
	h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/books", nil))

	calls := rs.started.Calls()
	if len(calls) != 1 || calls[0].Event.Request != got || calls[0].Ctx != got.Context() {
		t.Fatalf("started with %+v, handler got %p", calls, got)
	}
	if fin := rs.finished.Last(); fin.Request != got {
		t.Errorf("finished request %p, handler got %p", fin.Request, got)
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	rs := record(t)
	const pause = 20 * time.Millisecond
	h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(pause) }))
	before := time.Now()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	total := time.Since(before)

	ev := rs.finished.Last()
	if ev.Duration < pause || ev.Duration > total {
		t.Errorf("duration %v, want between %v and %v", ev.Duration, pause, total)
	}
	if ev.Start.Before(before) || ev.Start.Add(ev.Duration).After(before.Add(total)) {
		t.Errorf("start %v outside the call (%v + %v)", ev.Start, before, total)
	}
}

func TestPanicBeforeHeader(t *testing.T) {
	t.Parallel()
	rs := record(t)
	h, logs := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000") // must not survive into the 500
		panicInHandler()
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))

	if rec.Code != http.StatusInternalServerError || rec.Body.String() != "Internal Server Error\n" || rec.Header().Get("Content-Length") != "" {
		t.Errorf("response %d %q %v, want a plain 500", rec.Code, rec.Body, rec.Header())
	}
	rs.tl.AssertOrder("request_started", "got_request_exception", "request_finished")
	exc := rs.exc.Last()
	var pe *signals.PanicError
	if !errors.As(exc.Err, &pe) || pe.Value != "handler bug" || !strings.Contains(string(pe.Stack), "panicInHandler") {
		t.Errorf("exception %#v, want a PanicError with the value and the handler's stack", exc.Err)
	}
	if exc.HeaderWritten {
		t.Error("exception: HeaderWritten set before anything was written")
	}
	fin := rs.finished.Last()
	if fin.Status != http.StatusInternalServerError || fin.Bytes != int64(len("Internal Server Error\n")) || fin.Err != exc.Err || fin.Aborted {
		t.Errorf("finished %+v, want the 500 and the panic", fin)
	}
	if l := logs.String(); !strings.Contains(l, "signalshttp: panic serving request") || !strings.Contains(l, "panicInHandler") || !strings.Contains(l, "path=/boom") {
		t.Errorf("log %q, want the panic with its stack", l)
	}
}

func panicInHandler() { panic("handler bug") }

// catchPanic serves r and returns what the middleware panicked with.
func catchPanic(h http.Handler, w http.ResponseWriter, r *http.Request) (v any) {
	defer func() { v = recover() }()
	h.ServeHTTP(w, r)
	return nil
}

func TestPanicAfterHeaderAborts(t *testing.T) {
	t.Parallel()
	rs := record(t)
	h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("partial"))
		panic(fmt.Errorf("wrapped: %w", io.ErrUnexpectedEOF))
	}))
	rec := httptest.NewRecorder()
	if v := catchPanic(h, rec, httptest.NewRequest(http.MethodGet, "/", nil)); v != http.ErrAbortHandler {
		t.Fatalf("middleware panicked with %v, want http.ErrAbortHandler", v)
	}
	if rec.Code != http.StatusOK || rec.Body.String() != "partial" {
		t.Errorf("response %d %q: the middleware wrote after the header", rec.Code, rec.Body)
	}
	rs.tl.AssertOrder("request_started", "got_request_exception", "request_finished")
	if exc := rs.exc.Last(); !exc.HeaderWritten || !errors.Is(exc.Err, io.ErrUnexpectedEOF) {
		t.Errorf("exception %+v, want HeaderWritten and the panic's error", exc)
	}
	if fin := rs.finished.Last(); !fin.Aborted || fin.Status != http.StatusOK || fin.Bytes != 7 {
		t.Errorf("finished %+v, want aborted after 200 and 7 bytes", fin)
	}
}

func TestErrAbortHandler(t *testing.T) {
	t.Parallel()
	for _, written := range []bool{false, true} {
		t.Run(fmt.Sprint("written=", written), func(t *testing.T) {
			t.Parallel()
			rs := record(t)
			h, logs := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if written {
					_, _ = w.Write([]byte("abc"))
				}
				panic(http.ErrAbortHandler)
			}))
			rec := httptest.NewRecorder()
			if v := catchPanic(h, rec, httptest.NewRequest(http.MethodGet, "/", nil)); v != http.ErrAbortHandler {
				t.Fatalf("middleware panicked with %v, want http.ErrAbortHandler", v)
			}
			rs.exc.AssertNotSent()
			rs.tl.AssertOrder("request_started", "request_finished")
			fin := rs.finished.Last()
			wantStatus, wantBytes := 0, int64(0)
			if written {
				wantStatus, wantBytes = http.StatusOK, 3
			}
			if !fin.Aborted || fin.Err != nil || fin.Status != wantStatus || fin.Bytes != wantBytes {
				t.Errorf("finished %+v, want aborted, no error, status %d, %d bytes", fin, wantStatus, wantBytes)
			}
			if logs.String() != "" {
				t.Errorf("logged %q for a deliberate abort", logs)
			}
		})
	}
}

func TestFail(t *testing.T) {
	t.Parallel()
	errDB := errors.New("database is down")
	rs := record(t)
	after := false
	h, logs := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		signalshttp.Fail(w, r, fmt.Errorf("list books: %w", errDB))
		after = true
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/books", nil))

	if !after {
		t.Error("Fail did not return to the handler")
	}
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", rec.Code)
	}
	rs.tl.AssertOrder("request_started", "got_request_exception", "request_finished")
	if exc := rs.exc.Last(); !errors.Is(exc.Err, errDB) || exc.HeaderWritten {
		t.Errorf("exception %+v", exc)
	}
	if fin := rs.finished.Last(); !errors.Is(fin.Err, errDB) || fin.Status != http.StatusInternalServerError || fin.Aborted {
		t.Errorf("finished %+v", fin)
	}
	if l := logs.String(); !strings.Contains(l, "signalshttp: request failed") || !strings.Contains(l, "database is down") {
		t.Errorf("log %q", l)
	}
}

func TestFailAfterHeader(t *testing.T) {
	t.Parallel()
	rs := record(t)
	errLate := errors.New("late")
	h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte("ok"))
		signalshttp.Fail(w, r, errLate)
		signalshttp.Fail(w, r, nil) // a second failure is reported too
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))

	if rec.Code != http.StatusAccepted || rec.Body.String() != "ok" {
		t.Errorf("response %d %q changed after the header", rec.Code, rec.Body)
	}
	excs := rs.exc.Events()
	if len(excs) != 2 || excs[0].Err != errLate || !excs[0].HeaderWritten || excs[1].Err == nil ||
		!strings.HasPrefix(excs[1].Err.Error(), "signalshttp:") {
		t.Errorf("exceptions %+v", excs)
	}
	if fin := rs.finished.Last(); fin.Err != errLate || fin.Status != http.StatusAccepted || fin.Aborted {
		t.Errorf("finished %+v: want the first error, the handler's status, no abort", fin)
	}
}

// Fail finds the middleware through the request's context when an inner
// middleware wrapped the writer without Unwrap, and through the writer when
// the request context is off.
func TestFailFindsTheMiddleware(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		wrap func(http.ResponseWriter) http.ResponseWriter
		opts []signalshttp.Option
	}{
		{"opaque writer", func(w http.ResponseWriter) http.ResponseWriter { return opaque{w} }, nil},
		{"without request context", func(w http.ResponseWriter) http.ResponseWriter { return unwrapping{opaque{w}} }, []signalshttp.Option{signalshttp.WithoutRequestContext()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs := record(t)
			h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				signalshttp.Fail(tt.wrap(w), r, io.ErrClosedPipe)
			}), tt.opts...)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			rs.exc.AssertSentOnce(func(ev signalshttp.ExceptionEvent) bool { return ev.Err == io.ErrClosedPipe })
			if rec.Code != http.StatusInternalServerError || rs.finished.Last().Err != io.ErrClosedPipe {
				t.Errorf("status %d, finished %+v", rec.Code, rs.finished.Last())
			}
		})
	}
}

func TestFailWithoutMiddleware(t *testing.T) {
	// Not parallel: catch-all receivers hear every test's requests.
	var got []signalshttp.ExceptionEvent
	hd := signalshttp.GotRequestException.ConnectFunc(func(_ context.Context, ev signalshttp.ExceptionEvent) error {
		got = append(got, ev)
		return nil
	})
	defer hd.Disconnect()
	defer slog.SetDefault(slog.Default())
	logs := &testlog.Buffer{}
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, nil)))

	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/bare", nil)
	signalshttp.Fail(rec, r, io.ErrShortWrite)
	if rec.Code != http.StatusInternalServerError || len(got) != 1 || got[0].Err != io.ErrShortWrite || got[0].Request != r {
		t.Errorf("status %d, exceptions %+v", rec.Code, got)
	}
	if !strings.Contains(logs.String(), "short write") {
		t.Errorf("log %q", logs)
	}
}

func TestErrorHandler(t *testing.T) {
	t.Parallel()
	errBusy := errors.New("busy")
	rs := record(t)
	h, logs := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fail":
			signalshttp.Fail(w, r, errBusy)
		case "/panic":
			panic("bug")
		}
	}), signalshttp.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		if errors.Is(err, errBusy) {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":"busy"}`, http.StatusServiceUnavailable)
			return
		}
		panic("broken error handler")
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fail", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" || rs.finished.Last().Status != http.StatusServiceUnavailable {
		t.Errorf("Fail: %d %v, finished %+v", rec.Code, rec.Header(), rs.finished.Last())
	}

	// A panicking error handler falls back to the default 500.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/panic", nil))
	if rec.Code != http.StatusInternalServerError || rec.Body.String() != "Internal Server Error\n" {
		t.Errorf("panic: %d %q", rec.Code, rec.Body)
	}
	rs.finished.AssertCount(2)
	if !strings.Contains(logs.String(), "signalshttp: error handler panicked") {
		t.Errorf("log %q", logs)
	}
}

func TestStartedReceiverFailureFailsTheRequest(t *testing.T) {
	t.Parallel()
	errClosed := errors.New("maintenance")
	for _, tt := range []struct {
		name  string
		fail  func(t *testing.T, rs *recorders)
		check func(t *testing.T, err error)
	}{
		{"error", func(_ *testing.T, rs *recorders) { rs.started.Fail(errClosed) }, func(t *testing.T, err error) {
			var re *signals.ReceiverError
			if !errors.Is(err, errClosed) || !errors.As(err, &re) || re.Signal != "request_started" {
				t.Errorf("error %#v, want the receiver's error", err)
			}
		}},
		{"panic", func(t *testing.T, rs *recorders) {
			h := signalshttp.RequestStarted.ConnectFunc(func(context.Context, signalshttp.StartedEvent) error { panic("receiver bug") },
				signals.Sender(rs.sender), signals.Priority(1))
			t.Cleanup(func() { h.Disconnect() })
		}, func(t *testing.T, err error) {
			var pe *signals.PanicError
			if !errors.As(err, &pe) || pe.Value != "receiver bug" {
				t.Errorf("error %#v, want the receiver's panic", err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs := record(t)
			tt.fail(t, rs)
			called := false
			h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))

			if called || rec.Code != http.StatusInternalServerError {
				t.Errorf("handler called: %v, status %d", called, rec.Code)
			}
			exc := rs.exc.Last()
			tt.check(t, exc.Err)
			if fin := rs.finished.Last(); fin.Err != exc.Err || fin.Status != http.StatusInternalServerError {
				t.Errorf("finished %+v", fin)
			}
			rs.finished.AssertCount(1)
		})
	}
}

func TestRobustReceiversDoNotBreakTheResponse(t *testing.T) {
	// Not parallel: it sets the signals' loggers.
	logs := &testlog.Buffer{}
	for _, s := range []interface{ SetLogger(*slog.Logger) }{signalshttp.RequestFinished, signalshttp.GotRequestException} {
		s.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
		defer s.SetLogger(nil)
	}
	rs := record(t)
	rs.exc.Fail(errors.New("exception receiver failed"))
	hd := signalshttp.RequestFinished.ConnectFunc(func(context.Context, signalshttp.FinishedEvent) error { panic("finished receiver bug") },
		signals.Sender(rs.sender), signals.Priority(1))
	defer hd.Disconnect()

	h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		signalshttp.Fail(w, r, io.EOF)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))

	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d", rec.Code)
	}
	rs.finished.AssertCount(1) // called after the panicking receiver
	l := logs.String()
	if !strings.Contains(l, "exception receiver failed") || !strings.Contains(l, "finished receiver bug") {
		t.Errorf("log %q, want both receiver failures", l)
	}
}

func TestSender(t *testing.T) {
	t.Parallel()
	rs := record(t)
	other := testSender(t.Name() + "/other")
	hOther := signalshttp.Middleware(signalshttp.WithSender(other))(http.NotFoundHandler())
	h, _ := rs.middleware(http.NotFoundHandler())

	hOther.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	rs.finished.AssertNotSent()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	rs.finished.AssertSentOnce(func(ev signalshttp.FinishedEvent) bool { return ev.Status == http.StatusNotFound })
	if !signalshttp.RequestFinished.HasListeners(rs.sender) {
		t.Error("HasListeners(sender) = false")
	}
}

func TestMuted(t *testing.T) {
	t.Parallel()
	rs := record(t)
	h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("muted") }))
	mute := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := signals.Mute(r.Context(), signalshttp.RequestStarted, signalshttp.RequestFinished, signalshttp.GotRequestException)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	rec := httptest.NewRecorder()
	mute(h).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d", rec.Code)
	}
	rs.started.AssertNotSent()
	rs.exc.AssertNotSent()
	rs.finished.AssertNotSent()
}

func TestInvalidOptions(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]func(){
		"non-comparable sender": func() { signalshttp.Middleware(signalshttp.WithSender([]int{1})) },
		"nil option":            func() { signalshttp.Middleware(nil) },
		"nil logger":            func() { signalshttp.Middleware(signalshttp.WithLogger(nil)) },
		"nil error handler":     func() { signalshttp.Middleware(signalshttp.WithErrorHandler(nil)) },
		"nil handler":           func() { signalshttp.Middleware()(nil) },
	} {
		v := func() (v any) {
			defer func() { v = recover() }()
			f()
			return nil
		}()
		if err, ok := v.(error); !ok || !strings.HasPrefix(err.Error(), "signalshttp: ") {
			t.Errorf("%s: panicked with %v, want an error starting with signalshttp:", name, v)
		}
	}
}
