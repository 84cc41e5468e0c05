package signalshttp

import (
	"context"
	"errors"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/gosignals/signals"
)

// Middleware returns middleware, in the form routers such as chi use, that
// sends [RequestStarted], [GotRequestException] and [RequestFinished] for
// every request, recovers panics into a 5xx response, and gives the handler
// a context that answers [RequestFrom], [SetUser] and [UserFrom]. With net/http
// alone:
//
//	http.ListenAndServe(addr, signalshttp.Middleware()(mux))
//
// Middleware panics, with a message starting with "signalshttp:", on an
// invalid option; the returned function panics on a nil handler.
func Middleware(opts ...Option) func(http.Handler) http.Handler {
	c, err := newConfig(opts)
	if err != nil {
		panic(err)
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic(errors.New("signalshttp: Middleware: nil handler"))
		}
		return &handler{next: next, c: c}
	}
}

type handler struct {
	next http.Handler
	c    *config
}

// state is everything the middleware keeps about one request, in one
// allocation: it is also the handler's writer (see writer.go) and, viewed as
// a requestContext, the handler's context.
type state struct {
	h      *handler
	parent context.Context // the request's original context
	req    *http.Request   // the request as passed to the handler
	user   atomic.Pointer[userBox]

	rw          http.ResponseWriter // the underlying writer
	status      int
	bytes       int64
	wroteHeader bool
	hijacked    bool

	timed bool // RequestFinished had listeners when the request started
	start time.Time
	err   error // the first failure
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var tr *signals.Trace
	if h.c.trace {
		r, tr = startTrace(r)
	}
	sender := h.c.sender
	st := &state{h: h, rw: w, parent: r.Context()}
	if !h.c.noContext {
		r = r.WithContext((*requestContext)(st))
	}
	st.req = r
	w = wrap(st, w)
	if RequestFinished.HasListeners(sender) {
		st.timed = true
		st.start = time.Now()
	}
	defer h.finish(st, tr)
	if RequestStarted.HasListeners(sender) {
		if err := RequestStarted.Send(r.Context(), sender, StartedEvent{Request: r}); err != nil {
			st.fail(w, err)
			return
		}
	}
	h.next.ServeHTTP(w, r)
}

// finish runs, deferred, when the handler has returned or panicked: it
// turns a panic into GotRequestException and an error response, sends
// RequestFinished, stops the request's trace (tr, nil without WithTrace),
// and aborts the response if a panic came after its header.
func (h *handler) finish(st *state, tr *signals.Trace) {
	v := recover()
	if tr != nil {
		defer h.c.endTrace(tr, st.req)
	}
	aborted := false
	if v != nil {
		if v == any(http.ErrAbortHandler) {
			aborted = true
		} else {
			headerWritten := st.fail(wrap(st, st.rw), &signals.PanicError{Value: v, Stack: debug.Stack()})
			// A response cut short must not look complete to the client:
			// abort it as net/http does for a panicking handler, without its
			// log line (the failure was logged already).
			aborted = headerWritten && !st.hijacked
		}
	}
	if st.timed {
		status := st.status
		if status == 0 && !st.hijacked && !aborted {
			status = http.StatusOK // net/http's answer to a handler that wrote nothing
		}
		_ = RequestFinished.SendRobust(st.detached(), h.c.sender, FinishedEvent{
			Request:    st.req,
			Status:     status,
			Bytes:      st.bytes,
			Start:      st.start,
			Duration:   time.Since(st.start),
			Err:        st.err,
			ClientGone: st.parent.Err() != nil,
			Hijacked:   st.hijacked,
			Aborted:    aborted,
		})
	}
	if aborted {
		panic(http.ErrAbortHandler)
	}
}

// detached returns the request's context without its cancellation, for the
// receivers of RequestFinished and GotRequestException: work they do after
// a client went away is not cut short.
func (st *state) detached() context.Context {
	return context.WithoutCancel(st.req.Context())
}
