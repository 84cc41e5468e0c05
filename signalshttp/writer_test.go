package signalshttp_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gosignals/signals/signalshttp"
)

// fakeWriter records the calls of the optional interfaces. Most
// combinations of them exist in no standard writer, hence the fake; the
// real ones are tested below and in server_test.go.
type fakeWriter struct {
	*httptest.ResponseRecorder
	calls []string
}

func (f *fakeWriter) Flush()            { f.calls = append(f.calls, "Flush"); f.ResponseRecorder.Flush() }
func (f *fakeWriter) FlushError() error { f.Flush(); return errFlush }
func (f *fakeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	f.calls = append(f.calls, "Hijack")
	return nil, nil, nil
}
func (f *fakeWriter) ReadFrom(r io.Reader) (int64, error) {
	f.calls = append(f.calls, "ReadFrom")
	return io.Copy(f.ResponseRecorder, r)
}
func (f *fakeWriter) Push(string, *http.PushOptions) error {
	f.calls = append(f.calls, "Push")
	return nil
}

var errFlush = errors.New("flush error")

// Bits of the optional interfaces, in the order of the generated types.
const (
	hasFlusher = 1 << iota
	hasHijacker
	hasReaderFrom
	hasPusher
)

// withInterfaces returns f showing only the optional interfaces in mask.
func withInterfaces(f *fakeWriter, mask int) http.ResponseWriter {
	type (
		W = http.ResponseWriter
		F = http.Flusher
		H = http.Hijacker
		R = io.ReaderFrom
		P = http.Pusher
	)
	switch mask {
	case 0:
		return struct{ W }{f}
	case 1:
		return struct {
			W
			F
		}{f, f}
	case 2:
		return struct {
			W
			H
		}{f, f}
	case 3:
		return struct {
			W
			F
			H
		}{f, f, f}
	case 4:
		return struct {
			W
			R
		}{f, f}
	case 5:
		return struct {
			W
			F
			R
		}{f, f, f}
	case 6:
		return struct {
			W
			H
			R
		}{f, f, f}
	case 7:
		return struct {
			W
			F
			H
			R
		}{f, f, f, f}
	case 8:
		return struct {
			W
			P
		}{f, f}
	case 9:
		return struct {
			W
			F
			P
		}{f, f, f}
	case 10:
		return struct {
			W
			H
			P
		}{f, f, f}
	case 11:
		return struct {
			W
			F
			H
			P
		}{f, f, f, f}
	case 12:
		return struct {
			W
			R
			P
		}{f, f, f}
	case 13:
		return struct {
			W
			F
			R
			P
		}{f, f, f, f}
	case 14:
		return struct {
			W
			H
			R
			P
		}{f, f, f, f}
	case 15:
		return f
	}
	panic("bad mask")
}

func interfacesOf(w http.ResponseWriter) int {
	mask := 0
	if _, ok := w.(http.Flusher); ok {
		mask |= hasFlusher
	}
	if _, ok := w.(http.Hijacker); ok {
		mask |= hasHijacker
	}
	if _, ok := w.(io.ReaderFrom); ok {
		mask |= hasReaderFrom
	}
	if _, ok := w.(http.Pusher); ok {
		mask |= hasPusher
	}
	return mask
}

// The writer has exactly the optional interfaces of the writer it wraps, and
// each one reaches it and is accounted for.
func TestWriterKeepsOptionalInterfaces(t *testing.T) {
	t.Parallel()
	for mask := range 16 {
		rs := record(t)
		fake := &fakeWriter{ResponseRecorder: httptest.NewRecorder()}
		under := withInterfaces(fake, mask)
		if got := interfacesOf(under); got != mask {
			t.Fatalf("fake %d has interfaces %04b", mask, got)
		}
		var want []string
		h, _ := rs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if got := interfacesOf(w); got != mask {
				t.Errorf("mask %04b: writer has %04b", mask, got)
			}
			if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok || u.Unwrap() != under {
				t.Errorf("mask %04b: Unwrap does not return the wrapped writer", mask)
			}
			if _, ok := w.(io.StringWriter); !ok {
				t.Errorf("mask %04b: no WriteString", mask)
			}
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
				// The other combinations hide FlushError: Flush then
				// reports no error, as with ResponseController alone.
				var wantErr error
				if mask == 15 {
					wantErr = errFlush
				}
				if err := http.NewResponseController(w).Flush(); err != wantErr {
					t.Errorf("mask %04b: ResponseController.Flush = %v, want %v", mask, err, wantErr)
				}
				want = append(want, "Flush", "Flush")
			}
			if p, ok := w.(http.Pusher); ok {
				_ = p.Push("/style.css", nil)
				want = append(want, "Push")
			}
			if rf, ok := w.(io.ReaderFrom); ok {
				_, _ = rf.ReadFrom(strings.NewReader("abc"))
				want = append(want, "ReadFrom")
			} else {
				_, _ = io.WriteString(w, "abc")
			}
			if hj, ok := w.(http.Hijacker); ok {
				_, _, _ = hj.Hijack()
				want = append(want, "Hijack")
			}
		}))
		h.ServeHTTP(under, httptest.NewRequest(http.MethodGet, "/", nil))

		if strings.Join(fake.calls, ",") != strings.Join(want, ",") {
			t.Errorf("mask %04b: underlying calls %v, want %v", mask, fake.calls, want)
		}
		ev := rs.finished.Last()
		if ev.Bytes != 3 || ev.Status != http.StatusOK || ev.Hijacked != (mask&hasHijacker != 0) {
			t.Errorf("mask %04b: finished %+v", mask, ev)
		}
	}
}

func TestWriterOfRealServers(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, ts *httptest.Server, wantProto, wantMask int) {
		t.Helper()
		got := make(chan int, 1)
		ts.Config.Handler = signalshttp.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ProtoMajor != wantProto {
				t.Errorf("HTTP/%d, want HTTP/%d", r.ProtoMajor, wantProto)
			}
			rc := http.NewResponseController(w)
			if err := rc.SetWriteDeadline(deadline()); err != nil {
				t.Errorf("SetWriteDeadline through Unwrap: %v", err)
			}
			if err := rc.SetReadDeadline(deadline()); err != nil {
				t.Errorf("SetReadDeadline through Unwrap: %v", err)
			}
			if wantProto == 1 {
				if err := rc.EnableFullDuplex(); err != nil {
					t.Errorf("EnableFullDuplex through Unwrap: %v", err)
				}
			}
			got <- interfacesOf(w)
		}))
		resp, err := ts.Client().Get(ts.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if m := <-got; m != wantMask {
			t.Errorf("writer has interfaces %04b, want %04b", m, wantMask)
		}
	}
	t.Run("HTTP/1.1", func(t *testing.T) {
		t.Parallel()
		ts := httptest.NewServer(nil)
		defer ts.Close()
		check(t, ts, 1, hasFlusher|hasHijacker|hasReaderFrom)
	})
	t.Run("HTTP/2", func(t *testing.T) {
		t.Parallel()
		ts := httptest.NewUnstartedServer(nil)
		ts.EnableHTTP2 = true
		ts.StartTLS()
		defer ts.Close()
		check(t, ts, 2, hasFlusher|hasPusher)
	})
	t.Run("ResponseRecorder", func(t *testing.T) {
		t.Parallel()
		var got int
		signalshttp.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = interfacesOf(w)
		})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		if got != hasFlusher {
			t.Errorf("writer has interfaces %04b, want Flusher only", got)
		}
	})
}
