package signalshttp

import (
	"net/http"
	"time"

	"github.com/gosignals/signals"
)

// The request signals, Django's django.core.signals. [Middleware] sends them
// with the sender given by [WithSender] (nil by default), so that
// [signals.Signal.HasListeners] of that sender tells whether anybody listens
// and receivers connected with [signals.Sender] hear only one server.
var (
	// RequestStarted is sent before the handler runs, with the context the
	// handler gets. An error from one of its receivers fails the request:
	// the handler is not called and the client gets the error response (see
	// the package documentation).
	RequestStarted = signals.New[StartedEvent]("request_started")
	// RequestFinished is sent once per request, when the handler has
	// returned (the response is complete, hijacked or abandoned by the
	// client). It is sent with [signals.Signal.SendRobust], with the
	// request's context detached from its cancellation.
	RequestFinished = signals.New[FinishedEvent]("request_finished")
	// GotRequestException is sent when a handler panics, calls [Fail], or a
	// RequestStarted receiver fails: when the request becomes a server error.
	// It is sent with [signals.Signal.SendRobust], before the error response
	// is written and before RequestFinished.
	GotRequestException = signals.New[ExceptionEvent]("got_request_exception")
)

// StartedEvent is the event of [RequestStarted].
type StartedEvent struct {
	// Request is the request as the handler will get it; its context
	// answers [RequestFrom].
	Request *http.Request
}

// FinishedEvent is the event of [RequestFinished]. It describes the response
// as the handler produced it through the middleware's writer.
type FinishedEvent struct {
	// Request is the request as the handler got it.
	Request *http.Request
	// Status is the status code sent: the one given to WriteHeader (1xx
	// informational codes excepted), 200 if the handler wrote, flushed or
	// returned without calling WriteHeader, as net/http does, or the status
	// of the error response. It is 0 when no response was sent through the
	// writer: the connection was hijacked before anything was written, or
	// the response was aborted with [http.ErrAbortHandler] before.
	Status int
	// Bytes counts the body bytes handed to the underlying writer (Write,
	// WriteString and ReadFrom), as it reported them. Bytes written to a
	// hijacked connection are not counted.
	Bytes int64
	// Start is when the middleware received the request, and Duration the
	// time from then until the handler returned.
	Start    time.Time
	Duration time.Duration
	// Err is the first error of the request: the *[signals.PanicError] of a
	// panic, the error given to [Fail], or the error of a RequestStarted
	// receiver. It is nil for a request that did not fail.
	Err error
	// ClientGone reports that the request's context was cancelled before
	// the handler returned. net/http cancels it when the client closes the
	// connection or resets the HTTP/2 stream; an outer middleware cancelling
	// the context looks the same.
	ClientGone bool
	// Hijacked reports that the handler took over the connection with
	// [http.Hijacker] (directly or through [http.ResponseController]).
	Hijacked bool
	// Aborted reports that the response was aborted by panicking with
	// [http.ErrAbortHandler]: by the handler, or by the middleware after a
	// panic once the response had started. The client sees a broken
	// connection rather than a complete response.
	Aborted bool
}

// ExceptionEvent is the event of [GotRequestException].
type ExceptionEvent struct {
	// Request is the request as the handler got it.
	Request *http.Request
	// Err is the failure. For a panic it is a *[signals.PanicError] that
	// holds the panic value and the stack of the panicking goroutine
	// (errors.Is sees through it when the value is an error); otherwise it
	// is the error given to [Fail] or returned by a RequestStarted receiver
	// (a *[signals.ReceiverError]).
	Err error
	// HeaderWritten reports that the response header had already been sent
	// when the failure happened, so the client cannot get the error
	// response: after a panic the middleware aborts the response, after
	// [Fail] the response stays as the handler wrote it.
	HeaderWritten bool
}
