package signalshttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gosignals/signals/signalshttp"
)

// Time every request with a receiver of RequestFinished, as an access log
// or a metrics exporter would.
func ExampleMiddleware() {
	h := signalshttp.RequestFinished.ConnectFunc(func(ctx context.Context, ev signalshttp.FinishedEvent) error {
		fmt.Printf("%s %s: %d, %d bytes, timed: %t\n",
			ev.Request.Method, ev.Request.URL.Path, ev.Status, ev.Bytes, ev.Duration > 0)
		return nil
	})
	defer h.Disconnect()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /books/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "Dune")
	})
	handler := signalshttp.Middleware()(mux) // or r.Use(signalshttp.Middleware()) with chi

	for _, path := range []string{"/books/1", "/authors/2"} {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	// Output:
	// GET /books/1: 200, 4 bytes, timed: true
	// GET /authors/2: 404, 19 bytes, timed: true
}
