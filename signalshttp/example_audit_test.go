package signalshttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalshttp"
)

// Book is the application's model.
type Book struct{ Title string }

// BookCreated stands for a model signal, such as the post_save an ORM sends
// with the context it was given (GORM: db.WithContext(r.Context())).
var BookCreated = signals.New[Book]("book_created")

// createBook is data-access code: it knows nothing of HTTP, it only passes
// its context on.
func createBook(ctx context.Context, b Book) error {
	// ... INSERT INTO books ...
	return BookCreated.Send(ctx, nil, b)
}

// Account is what the application's authentication knows of a user.
type Account struct{ Name string }

// authenticate is the application's authentication middleware. It runs
// inside signalshttp.Middleware and records the user of the request.
func authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name := r.Header.Get("X-Demo-User"); name != "" { // a real one checks a session or a token
			signalshttp.SetUser(r.Context(), &Account{Name: name})
		}
		next.ServeHTTP(w, r)
	})
}

// An audit log kept by a receiver of a model-like signal, which learns who
// did it, and from where, from the context alone: what Django's model
// signals cannot do.
func Example_requestAwareAuditLog() {
	h := BookCreated.ConnectFunc(func(ctx context.Context, b Book) error {
		who := "anonymous"
		if acct, ok := signalshttp.UserFrom[*Account](ctx); ok {
			who = acct.Name
		}
		where := "no request"
		if r, ok := signalshttp.RequestFrom(ctx); ok {
			where = r.Method + " " + r.URL.Path + " from " + r.RemoteAddr
		}
		fmt.Printf("audit: %s created %q (%s)\n", who, b.Title, where)
		return nil
	})
	defer h.Disconnect()

	mux := http.NewServeMux()
	mux.HandleFunc("POST /books", func(w http.ResponseWriter, r *http.Request) {
		if err := createBook(r.Context(), Book{Title: r.FormValue("title")}); err != nil {
			signalshttp.Fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	handler := signalshttp.Middleware()(authenticate(mux))

	r := httptest.NewRequest(http.MethodPost, "/books?title=Dune", nil)
	r.Header.Set("X-Demo-User", "ada")
	handler.ServeHTTP(httptest.NewRecorder(), r)

	// Outside a request (a batch job) the same receiver still works.
	_ = createBook(signalshttp.WithUser(context.Background(), &Account{Name: "importer"}), Book{Title: "Emma"})
	// Output:
	// audit: ada created "Dune" (POST /books from 192.0.2.1:1234)
	// audit: importer created "Emma" (no request)
}
