package signalshttp

import (
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
)

// An Option configures [Middleware]. Options are validated when Middleware
// is called, which panics on an invalid one.
type Option func(*config) error

type config struct {
	sender    any
	logger    *slog.Logger
	onError   func(w http.ResponseWriter, r *http.Request, err error)
	noContext bool
	// trace is set by WithTrace and WithTraceName; traceName names the
	// trace at the end of the request (nil: traceName).
	trace     bool
	traceName func(r *http.Request) string
}

// WithSender makes the middleware send its signals from sender instead of
// nil, so that receivers connected with [signals.Sender](sender) hear only
// the requests of this middleware (one server among several, say). The
// sender must be comparable (a string, a pointer, a reflect.Type, ...).
// Receivers connected without a sender hear every middleware.
func WithSender(sender any) Option {
	return func(c *config) error {
		if sender != nil && !reflect.ValueOf(sender).Comparable() {
			return fmt.Errorf("WithSender: sender of type %T is not comparable", sender)
		}
		c.sender = sender
		return nil
	}
}

// WithLogger sets the logger to which the middleware reports every failed
// request (panics with their stack, [Fail] errors, failing RequestStarted
// receivers) at level Error, as Django's django.request logger does. By
// default it is [slog.Default] at the time of the failure. To silence it, pass
// slog.New(slog.DiscardHandler). Failures of receivers of RequestFinished and
// GotRequestException are logged by the signals themselves (see
// [signals.Signal.SetLogger]).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithErrorHandler sets the function that writes the error response of a
// failed request (a panic, [Fail], a failing RequestStarted receiver) when
// the handler has not written the header yet. It should answer with a 5xx
// status; it may choose one from err (for example 503 for a dependency that
// is down). The header map still holds what the handler (and outer
// middleware) set before failing; the default, which writes 500 Internal
// Server Error with [http.Error], replaces only Content-Type and
// Content-Length. A panic in fn is logged and replaced by the default.
func WithErrorHandler(fn func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return func(c *config) error {
		if fn == nil {
			return fmt.Errorf("WithErrorHandler: nil function")
		}
		c.onError = fn
		return nil
	}
}

// WithoutRequestContext stops the middleware from deriving the request's
// context: [RequestFrom] and [SetUser] then do not work downstream, and the
// middleware saves the allocation of the request copy that
// [http.Request.WithContext] makes. Use it when nothing reads the request
// from a context, to keep the middleware at one allocation per request.
func WithoutRequestContext() Option {
	return func(c *config) error {
		c.noContext = true
		return nil
	}
}

// WithTrace makes the middleware record a trace of each request
// ([signals.StartTrace]): the request signals, the model signals and SQL
// statements of an ORM used with r.Context(), on-commit hooks, ... They
// are listed, with the other recent traces, by the /debug/signals page of
// package signalsdebug, with no code in the handlers.
//
// The trace is named, when the handler has returned, by the request's
// method and the pattern that [http.ServeMux] matched ("GET
// /books/{id}"), or its path when no pattern was matched. The mux records
// the pattern in the request it is given: a middleware between this one
// and the mux that passes on a copy of the request (r.WithContext) hides
// it; name the trace with [WithTraceName] then, or with other routers.
//
// It is meant for development: while a request is traced, every send in
// the process takes the slower, instrumented path (see
// [signals.StartTrace]), and each traced request costs allocations for its
// steps. Without this option the middleware starts no trace.
func WithTrace() Option {
	return func(c *config) error {
		c.trace = true
		return nil
	}
}

// WithTraceName is [WithTrace] with the trace named by name, which is
// called once the handler has returned (so that a router has matched the
// route), with the request as the handler got it. With chi, whose route
// context the request carries when the middleware is installed with
// r.Use:
//
//	signalshttp.WithTraceName(func(r *http.Request) string {
//		return r.Method + " " + chi.RouteContext(r.Context()).RoutePattern()
//	})
func WithTraceName(name func(r *http.Request) string) Option {
	return func(c *config) error {
		if name == nil {
			return fmt.Errorf("WithTraceName: nil function")
		}
		c.trace, c.traceName = true, name
		return nil
	}
}

func newConfig(opts []Option) (*config, error) {
	c := &config{}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("signalshttp: Middleware: nil Option")
		}
		if err := o(c); err != nil {
			return nil, fmt.Errorf("signalshttp: %w", err)
		}
	}
	return c, nil
}

func (c *config) log() *slog.Logger {
	if c.logger != nil {
		return c.logger
	}
	return slog.Default()
}
