package signalshttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalshttp"
)

// With WithTrace every request is a trace, named by its route, which the
// /debug/signals page of package signalsdebug lists with its steps.
func ExampleWithTrace() {
	bookViewed := signals.New[string]("example.book_viewed")
	bookViewed.ConnectFunc(func(context.Context, string) error { return nil }, signals.Name("count views"))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /books/{id}", func(w http.ResponseWriter, r *http.Request) {
		_ = bookViewed.Send(r.Context(), nil, r.PathValue("id"))
	})
	h := signalshttp.Middleware(signalshttp.WithTrace())(mux)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/books/7", nil))

	tr := signals.Traces()[0] // the newest
	fmt.Println(tr.Name())
	for _, s := range tr.Steps() {
		fmt.Printf("%s%s %s: %s\n", strings.Repeat("  ", s.Depth), s.Kind, s.Name, s.Outcome)
	}
	// Output:
	// GET /books/{id}
	// send example.book_viewed: ok
	//   receiver count views: ok
}
