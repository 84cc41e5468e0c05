package signalshttp

//go:generate go run gen_writers.go

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// The writer the handler gets is one of the types of writers_gen.go: a
// struct holding only the request's *state, with the methods below (shared
// by all of them) and the optional interfaces of the underlying writer
// (http.Flusher, http.Hijacker, io.ReaderFrom, http.Pusher). WriteString is
// always there: it means the same as Write. Everything else
// (http.ResponseController's deadlines and full duplex) is reached through
// Unwrap.
//
// Why not github.com/felixge/httpsnoop (v1.1.0), which does the same
// wrapping: each of its hooks costs a closure or two per request, and its
// writer is one more object. Measured on Middleware with no receivers, over
// a writer with Flusher, Hijacker and ReaderFrom, with the options default /
// WithoutRequestContext (allocations from BenchmarkMiddleware, instructions
// per request under callgrind with GOGC=off):
//
//	                                     allocations   instructions
//	these writers                              2 / 1    1 059 / 673
//	httpsnoop, the same seven hooks          20 / 19    6 587 / 6 193
//	httpsnoop, only WriteHeader and Write      9 / 8    3 407 / 3 019
//
// Over a real server (BenchmarkServer): 64 allocations per request here,
// 86 with httpsnoop. Its writer also unwraps straight to the underlying one,
// so Fail could not find the request behind it under WithoutRequestContext.

// Header returns the underlying writer's header map.
func (st *state) Header() http.Header { return st.rw.Header() }

// WriteHeader sends the status code and records it. Informational codes
// (1xx other than 101) may precede the final status and are not recorded.
func (st *state) WriteHeader(code int) {
	st.rw.WriteHeader(code)
	if st.wroteHeader || st.hijacked || (code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols) {
		return
	}
	st.wroteHeader = true
	st.status = code
}

// Write writes the body, sending 200 first if no status was sent, and
// counts the bytes written.
func (st *state) Write(p []byte) (int, error) {
	st.implicitHeader()
	n, err := st.rw.Write(p)
	st.bytes += int64(n)
	return n, err
}

// WriteString is Write of a string, without copying it when the underlying
// writer has a WriteString method.
func (st *state) WriteString(s string) (int, error) {
	st.implicitHeader()
	n, err := io.WriteString(st.rw, s)
	st.bytes += int64(n)
	return n, err
}

// Unwrap returns the underlying writer, for [http.ResponseController].
func (st *state) Unwrap() http.ResponseWriter { return st.rw }

// signalshttpState lets Fail find the state behind a writer.
func (st *state) signalshttpState() *state { return st }

// implicitHeader records the 200 that net/http sends when the body is
// written (or flushed) before WriteHeader.
func (st *state) implicitHeader() {
	if !st.wroteHeader && !st.hijacked {
		st.wroteHeader = true
		st.status = http.StatusOK
	}
}

func (st *state) flush() error {
	st.implicitHeader()
	switch f := st.rw.(type) {
	case interface{ FlushError() error }:
		return f.FlushError()
	case http.Flusher:
		f.Flush()
	}
	return nil
}

func (st *state) hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, b, err := st.rw.(http.Hijacker).Hijack()
	if err == nil {
		st.hijacked = true
	}
	return c, b, err
}

func (st *state) readFrom(src io.Reader) (int64, error) {
	st.implicitHeader()
	n, err := st.rw.(io.ReaderFrom).ReadFrom(src)
	st.bytes += n
	return n, err
}

func (st *state) push(target string, opts *http.PushOptions) error {
	return st.rw.(http.Pusher).Push(target, opts)
}

// stateOfWriter finds the middleware's state behind w, following Unwrap
// through the writers of inner middleware.
func stateOfWriter(w http.ResponseWriter) *state {
	for w != nil {
		switch t := w.(type) {
		case interface{ signalshttpState() *state }:
			return t.signalshttpState()
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return nil
		}
	}
	return nil
}
