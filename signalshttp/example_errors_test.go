package signalshttp_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalshttp"
)

// A panicking handler gets a 500, and the signals come in Django's order:
// started, exception, finished. An error tracker would connect to
// GotRequestException.
func Example_panic() {
	h1 := signalshttp.RequestStarted.ConnectFunc(func(ctx context.Context, ev signalshttp.StartedEvent) error {
		fmt.Println("started", ev.Request.URL.Path)
		return nil
	})
	h2 := signalshttp.GotRequestException.ConnectFunc(func(ctx context.Context, ev signalshttp.ExceptionEvent) error {
		var pe *signals.PanicError
		if errors.As(ev.Err, &pe) {
			fmt.Printf("exception: panic %v, with its stack: %t\n", pe.Value, len(pe.Stack) > 0)
		}
		return nil
	})
	h3 := signalshttp.RequestFinished.ConnectFunc(func(ctx context.Context, ev signalshttp.FinishedEvent) error {
		fmt.Println("finished", ev.Status)
		return nil
	})
	defer h1.Disconnect()
	defer h2.Disconnect()
	defer h3.Disconnect()

	handler := signalshttp.Middleware(
		signalshttp.WithLogger(slog.New(slog.DiscardHandler)), // by default panics are logged with slog.Default
	)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]int
		//lint:ignore SA5000 the handler panics on purpose, with a runtime error
		m["boom"]++ // assignment to a nil map
	}))

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/crash", nil))
	fmt.Println("client got", rec.Code)
	// Output:
	// started /crash
	// exception: panic assignment to entry in nil map, with its stack: true
	// finished 500
	// client got 500
}

var errUpstream = errors.New("inventory service unavailable")

// Fail reports an error like a panic, without one; WithErrorHandler chooses
// the response.
func ExampleFail() {
	h := signalshttp.GotRequestException.ConnectFunc(func(ctx context.Context, ev signalshttp.ExceptionEvent) error {
		fmt.Println("exception:", ev.Err)
		return nil
	})
	defer h.Disconnect()

	handler := signalshttp.Middleware(
		signalshttp.WithLogger(slog.New(slog.DiscardHandler)),
		signalshttp.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, errUpstream) {
				http.Error(w, "try again later", http.StatusServiceUnavailable)
				return
			}
			http.Error(w, "internal error", http.StatusInternalServerError)
		}),
	)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		signalshttp.Fail(w, r, fmt.Errorf("stock of book 7: %w", errUpstream))
	}))

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/books/7/stock", nil))
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// exception: stock of book 7: inventory service unavailable
	// 503 try again later
}
