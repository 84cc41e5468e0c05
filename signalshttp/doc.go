// Package signalshttp sends Django's request signals (request_started,
// request_finished and got_request_exception) from net/http middleware, and
// lets the receivers of any signal, such as an ORM's model signals, see the
// request and its user.
//
//	r := chi.NewRouter()
//	r.Use(signalshttp.Middleware())
//
//	signalshttp.RequestFinished.ConnectFunc(func(ctx context.Context, ev signalshttp.FinishedEvent) error {
//		metrics.Observe(ev.Request.Method, ev.Status, ev.Duration)
//		return nil
//	})
//
// # Signals
//
// [Middleware] sends, for every request:
//
//   - [RequestStarted] with the request, before the handler runs;
//   - [GotRequestException] if the request fails: the handler panics, calls
//     [Fail], or a RequestStarted receiver returns an error;
//   - [RequestFinished] once, when the handler has returned, with the status
//     code, the number of body bytes, the duration, the request's error and
//     whether the client went away, the connection was hijacked or the
//     response aborted.
//
// They come in this order, as in Django: started, exception, finished. The
// sender is nil, or the value given with [WithSender]; receivers connected
// with [signals.Sender] of that value hear only that middleware. Django uses
// the handler class for started and finished and None for the exception; a
// Go handler is often a func, which cannot be compared, so it is no sender.
//
// # When the response is complete
//
// RequestFinished is sent when the handler returns: after the last chunk of
// a streamed body has been written and flushed, and also when the handler
// took over the connection (FinishedEvent.Hijacked, bytes written to the
// raw connection are not counted) or returned because the client went away
// (FinishedEvent.ClientGone). Only net/http's final flush of its own buffer
// comes later. A handler that ignores its context keeps the request, and its
// RequestFinished, pending. Each request sends RequestFinished exactly once
// (Django sends it from each call of HttpResponse.close()). Whether a
// request sends it is decided when it starts: a request already running when
// the first receiver is connected does not.
//
// The receivers of RequestFinished and GotRequestException get the request's
// context without its cancellation ([context.WithoutCancel]), so that what
// they do after a client went away is not cut short; its values (the
// request, the user, muting) are all there.
//
// # Errors and panics
//
// A panicking handler is recovered. The middleware sends GotRequestException
// with a *[signals.PanicError] (the value and the stack), logs the panic (see
// [WithLogger]) and, if the handler has not written the header yet, answers
// 500 Internal Server Error, or what [WithErrorHandler] writes. If the
// header had been written, the client cannot be told with a status: after
// RequestFinished the middleware panics with [http.ErrAbortHandler], so that
// net/http breaks the connection instead of ending a truncated body as if it
// were complete (a hijacked connection is left to the handler).
//
// A handler that panics with [http.ErrAbortHandler] itself asks net/http to
// abort the response quietly. That is not an error of the application: the
// middleware sends no GotRequestException for it and logs nothing, sends
// RequestFinished with Aborted set, and panics again with
// [http.ErrAbortHandler], as net/http expects.
//
// Handlers report an error without panicking with [Fail]: same signal, same
// log and same error response, and the handler returns normally.
//
// # Receiver errors
//
// RequestStarted is sent with [signals.Signal.Send]: the first receiver that
// fails stops the others and fails the request, as an exception raised by a
// request_started receiver does in Django. The handler is not called; the
// error (a *[signals.ReceiverError]) is reported like a panic, with
// GotRequestException and the error response, and RequestFinished follows.
// A receiver that must not turn away requests should log its errors and
// return nil. A panicking RequestStarted receiver is handled like a
// panicking handler.
//
// RequestFinished and GotRequestException are sent with
// [signals.Signal.SendRobust]: every receiver runs, and failures are logged
// by the signal, never reaching the response.
//
// # Request-aware signals
//
// Django's model signals cannot see the request or its user. Here the
// handler's context carries the request: any code that passes r.Context()
// along, for example an ORM used as db.WithContext(r.Context()), delivers it
// to the receivers of its signals, which read it with [RequestFrom], and the
// user with [UserFrom]:
//
//	modelsignals.PostSave.ConnectFunc(func(ctx context.Context, ev modelsignals.SaveEvent) error {
//		user, _ := signalshttp.UserFrom[*User](ctx)
//		r, _ := signalshttp.RequestFrom(ctx)
//		return audit.Record(ctx, user, r.RemoteAddr, ev)
//	})
//
// Authentication middleware usually runs inside this middleware and sets
// the user with [SetUser](r.Context(), user): the middleware keeps one
// mutable holder per request in the context it creates, so the user is seen
// by every context of the request, also those derived before SetUser and
// the one given to RequestFinished. Authentication middleware that runs
// outside uses [WithUser] and [http.Request.WithContext]; the middleware's
// context inherits its user. [WithUser] also serves code that has no
// request: jobs, tests, command-line tools. With the middleware installed
// twice (an application mounted inside another), SetUser sets the user for
// both.
//
// # The writer
//
// The handler gets a writer that records the status and counts the bytes.
// It has exactly the optional interfaces of the writer it wraps among
// [http.Flusher], [http.Hijacker], [io.ReaderFrom] and [http.Pusher] (so
// that io.Copy still uses sendfile and a type assertion still tells what the
// connection can do), plus io.StringWriter, and Unwrap, so that
// [http.ResponseController] reaches the deadlines and full-duplex mode of
// the underlying writer. The deprecated http.CloseNotifier is not kept; use
// the request's context. If the wrapped writer lacks http.Hijacker but a
// writer it unwraps to has one, a hijack through http.ResponseController
// bypasses this writer and is not reported.
//
// # Traces
//
// With [WithTrace], each request is recorded as a trace
// ([signals.StartTrace]) named by its method and route ("GET /books/{id}"):
// the request signals and everything done with the request's context,
// which the /debug/signals page of package signalsdebug shows. It is meant
// for development (see WithTrace).
//
// # Cost
//
// With no receivers connected, the middleware costs two allocations per
// request: the request copy made by [http.Request.WithContext] (every
// middleware that puts a value in the context pays it) and one object that
// holds the writer, the context and the request's state.
// [WithoutRequestContext] saves the first when nothing reads the request
// from a context. Connected receivers add the cost of their calls, two clock
// readings and one small allocation for the detached context. See the
// package's benchmarks.
//
// # Coming from Django
//
// How Django's request signals and middleware map to this package, and
// where they differ, is told in [Coming from Django].
//
// [Coming from Django]: https://github.com/gosignals/signals/blob/main/docs/coming-from-django.md
package signalshttp
