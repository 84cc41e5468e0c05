package signalshttp

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// sink is a writer with net/http's optional interfaces that allocates
// nothing, so that allocation counts are the middleware's own.
type sink struct {
	h      http.Header
	status int
}

func (w *sink) Header() http.Header                          { return w.h }
func (w *sink) WriteHeader(code int)                         { w.status = code }
func (w *sink) Write(p []byte) (int, error)                  { return len(p), nil }
func (w *sink) Flush()                                       {}
func (w *sink) ReadFrom(r io.Reader) (int64, error)          { return io.Copy(io.Discard, r) }
func (w *sink) Hijack() (net.Conn, *bufio.ReadWriter, error) { return nil, nil, http.ErrNotSupported }

var okBody = []byte("ok")

func TestWrapDoesNotAllocate(t *testing.T) {
	st := &state{}
	w := &sink{h: http.Header{}}
	var out http.ResponseWriter
	if n := testing.AllocsPerRun(100, func() { out = wrap(st, w) }); n != 0 {
		t.Errorf("wrap allocates %v times", n)
	}
	if _, ok := out.(writerFHR); !ok {
		t.Errorf("wrap returned %T", out)
	}
}

// The allocations documented in the package's Cost section, with no
// receivers connected. Not parallel: no other test's receivers may be
// connected while it runs.
func TestMiddlewareAllocations(t *testing.T) {
	type sender struct{}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(okBody)
	})
	for _, tt := range []struct {
		name string
		opts []Option
		want float64
	}{
		{"default", nil, 2},
		{"WithoutRequestContext", []Option{WithoutRequestContext()}, 1},
	} {
		h := Middleware(append(tt.opts, WithSender(sender{}))...)(next)
		w := &sink{h: http.Header{}}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if n := testing.AllocsPerRun(1000, func() { h.ServeHTTP(w, r) }); n != tt.want {
			t.Errorf("%s: %v allocations per request, want %v", tt.name, n, tt.want)
		}
	}
}
