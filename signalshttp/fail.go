package signalshttp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/gosignals/signals"
)

// errNilFail replaces the nil error given to Fail.
var errNilFail = errors.New("signalshttp: Fail called with a nil error")

// Fail reports err as the failure of the request, the way a panic would be
// reported but without one: it sends [GotRequestException], logs err (see
// [WithLogger]) and, if the response header has not been written yet,
// answers with the error response (500 Internal Server Error by default, see
// [WithErrorHandler]) through w. The request's [FinishedEvent] carries err.
// If the header was already written, the response stays as the handler
// wrote it and the event's HeaderWritten is set; a handler that wants the
// client to see the failure of a half-sent response can then
// panic(http.ErrAbortHandler).
//
// The handler should return after Fail, as after [http.Error]. Call Fail from
// the handler's goroutine, as the writer's methods. Django has no equivalent:
// there, only exceptions reach got_request_exception.
//
// Without [Middleware] around the handler, Fail sends GotRequestException
// from a nil sender, logs to [slog.Default] and answers 500 with http.Error.
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		err = errNilFail
	}
	st := stateOfWriter(w)
	if st == nil && r != nil {
		st = stateFrom(r.Context())
	}
	if st != nil {
		st.fail(w, err)
		return
	}
	ctx := context.Background()
	if r != nil {
		ctx = r.Context()
	}
	_ = GotRequestException.SendRobust(context.WithoutCancel(ctx), nil, ExceptionEvent{Request: r, Err: err})
	logFailure(ctx, slog.Default(), r, err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// fail reports a failure of the request: it sends GotRequestException, logs
// it and writes the error response through w if the header has not been
// written. It reports whether it had been.
func (st *state) fail(w http.ResponseWriter, err error) (headerWritten bool) {
	headerWritten = st.wroteHeader || st.hijacked
	if st.err == nil {
		st.err = err
	}
	_ = GotRequestException.SendRobust(st.detached(), st.h.c.sender, ExceptionEvent{
		Request:       st.req,
		Err:           err,
		HeaderWritten: headerWritten,
	})
	logFailure(st.req.Context(), st.h.c.log(), st.req, err)
	if !headerWritten {
		st.respond(w, err)
	}
	return headerWritten
}

// respond writes the error response with the configured error handler, or
// the default one if there is none or it panics.
func (st *state) respond(w http.ResponseWriter, err error) {
	if fn := st.h.c.onError; fn != nil {
		if st.callErrorHandler(fn, w, err) || st.wroteHeader || st.hijacked {
			return
		}
	}
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

func (st *state) callErrorHandler(fn func(http.ResponseWriter, *http.Request, error), w http.ResponseWriter, err error) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			st.h.c.log().LogAttrs(st.req.Context(), slog.LevelError, "signalshttp: error handler panicked",
				slog.Any("panic", v), slog.Any("error", err), slog.String("stack", string(debug.Stack())))
			ok = false
		}
	}()
	fn(w, st.req, err)
	return true
}

// logFailure logs a failed request at level Error, with the stack of a
// panic.
func logFailure(ctx context.Context, l *slog.Logger, r *http.Request, err error) {
	attrs := make([]slog.Attr, 0, 4)
	if r != nil {
		attrs = append(attrs, slog.String("method", r.Method))
		if r.URL != nil {
			attrs = append(attrs, slog.String("path", r.URL.Path))
		}
	}
	attrs = append(attrs, slog.Any("error", err))
	msg := "signalshttp: request failed"
	var pe *signals.PanicError
	if errors.As(err, &pe) {
		msg = "signalshttp: panic serving request"
		attrs = append(attrs, slog.String("stack", string(pe.Stack)))
	}
	l.LogAttrs(ctx, slog.LevelError, msg, attrs...)
}
