package signalshttp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gosignals/signals/signalshttp"
)

// sinkWriter stands in for net/http's writer in micro-benchmarks, which
// cannot build one without a connection: it has the same optional
// interfaces (Flusher, Hijacker, ReaderFrom, StringWriter) and discards the
// body. It allocates nothing, so that the figures are the middleware's own.
type sinkWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *sinkWriter) Header() http.Header { return w.h }
func (w *sinkWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *sinkWriter) Write(p []byte) (int, error)       { w.n += len(p); return len(p), nil }
func (w *sinkWriter) WriteString(s string) (int, error) { w.n += len(s); return len(s), nil }
func (w *sinkWriter) Flush()                            {}
func (w *sinkWriter) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(io.Discard, r)
}
func (w *sinkWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, errors.New("sinkWriter: no connection")
}

var body = []byte("hello, world\n")

func hello(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func benchServe(b *testing.B, h http.Handler) {
	w := &sinkWriter{h: http.Header{}}
	r := httptest.NewRequest(http.MethodGet, "/books/1", nil)
	b.ReportAllocs()
	for b.Loop() {
		w.status = 0
		h.ServeHTTP(w, r)
	}
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
}

// withValue is the smallest middleware that puts a value in the request's
// context, for comparison.
func withValue(next http.Handler) http.Handler {
	type key struct{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, r)))
	})
}

// benchSender keeps the benchmarks away from receivers other tests connect.
type benchSender struct{}

func BenchmarkMiddleware(b *testing.B) {
	b.Run("bare", func(b *testing.B) {
		benchServe(b, http.HandlerFunc(hello))
	})
	b.Run("no-receivers", func(b *testing.B) {
		benchServe(b, signalshttp.Middleware(signalshttp.WithSender(benchSender{}))(http.HandlerFunc(hello)))
	})
	// What any middleware that puts a value in the request's context costs,
	// for comparison.
	b.Run("reference-context.WithValue", func(b *testing.B) {
		benchServe(b, withValue(http.HandlerFunc(hello)))
	})
	b.Run("no-receivers/without-context", func(b *testing.B) {
		benchServe(b, signalshttp.Middleware(signalshttp.WithSender(benchSender{}), signalshttp.WithoutRequestContext())(http.HandlerFunc(hello)))
	})
	// A trace per request (WithTrace): the trace, its context, the request
	// copy and its steps.
	b.Run("no-receivers/with-trace", func(b *testing.B) {
		benchServe(b, signalshttp.Middleware(signalshttp.WithSender(benchSender{}), signalshttp.WithTrace())(http.HandlerFunc(hello)))
	})
	b.Run("one-receiver-per-signal", func(b *testing.B) {
		var started, finished int
		h1 := signalshttp.RequestStarted.ConnectFunc(func(context.Context, signalshttp.StartedEvent) error { started++; return nil })
		h2 := signalshttp.RequestFinished.ConnectFunc(func(_ context.Context, ev signalshttp.FinishedEvent) error { finished += int(ev.Bytes); return nil })
		h3 := signalshttp.GotRequestException.ConnectFunc(func(context.Context, signalshttp.ExceptionEvent) error { return nil })
		defer h1.Disconnect()
		defer h2.Disconnect()
		defer h3.Disconnect()
		benchServe(b, signalshttp.Middleware(signalshttp.WithSender(benchSender{}))(http.HandlerFunc(hello)))
		if started == 0 || finished == 0 {
			b.Fatal("receivers not called")
		}
	})
}

// The same over a real server on 127.0.0.1, one client with keep-alive:
// the middleware's cost next to that of a request.
func BenchmarkServer(b *testing.B) {
	run := func(b *testing.B, h http.Handler) {
		ts := httptest.NewServer(h)
		defer ts.Close()
		c := ts.Client()
		b.ReportAllocs()
		for b.Loop() {
			resp, err := c.Get(ts.URL)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, http.HandlerFunc(hello)) })
	b.Run("no-receivers", func(b *testing.B) {
		run(b, signalshttp.Middleware(signalshttp.WithSender(benchSender{}))(http.HandlerFunc(hello)))
	})
	b.Run("one-receiver-per-signal", func(b *testing.B) {
		h1 := signalshttp.RequestStarted.ConnectFunc(func(context.Context, signalshttp.StartedEvent) error { return nil })
		h2 := signalshttp.RequestFinished.ConnectFunc(func(context.Context, signalshttp.FinishedEvent) error { return nil })
		h3 := signalshttp.GotRequestException.ConnectFunc(func(context.Context, signalshttp.ExceptionEvent) error { return nil })
		defer h1.Disconnect()
		defer h2.Disconnect()
		defer h3.Disconnect()
		run(b, signalshttp.Middleware(signalshttp.WithSender(benchSender{}))(http.HandlerFunc(hello)))
	})
}
