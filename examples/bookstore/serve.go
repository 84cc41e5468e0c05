package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/examples/bookstore/shop"
	"github.com/gosignals/signals/signalsdebug"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalshttp"
)

// Handler returns the bookstore's HTTP API, wrapped in the request-signals
// middleware, which records a trace of each request for /debug/signals.
// The user is read from the X-User header by a stand-in for real
// authentication; model-signal receivers (the audit log) see it. The
// debug page itself is served outside the middleware, so that viewing it
// adds no trace to the ones it shows.
func (a *App) Handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /books", a.listBooks)
	api.HandleFunc("POST /books", a.createBook)
	api.HandleFunc("PATCH /books/{id}", a.updateBook)
	api.HandleFunc("DELETE /books/{id}", a.deleteBook)
	api.HandleFunc("POST /authors", a.createAuthor)
	api.HandleFunc("DELETE /authors/{id}", a.deleteAuthor)
	api.HandleFunc("GET /audit", a.listAudit)
	mux := http.NewServeMux()
	mux.Handle("/debug/signals", signalsdebug.Handler())
	mux.Handle("/debug/signals/", signalsdebug.Handler())
	mux.Handle("/", signalshttp.Middleware(signalshttp.WithTrace())(authenticate(api)))
	return mux
}

// authenticate stands in for an authentication middleware running inside
// signalshttp's: it records the user for the request.
func authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := r.Header.Get("X-User"); u != "" {
			signalshttp.SetUser(r.Context(), u)
		}
		next.ServeHTTP(w, r)
	})
}

// LogRequests connects a request_finished receiver that times every
// request; it returns its handle.
func LogRequests(w io.Writer) *signals.Handle {
	return signalshttp.RequestFinished.ConnectFunc(func(ctx context.Context, ev signalshttp.FinishedEvent) error {
		user, _ := signalshttp.UserFrom[string](ctx)
		fmt.Fprintf(w, "%s %s %s → %d, %d bytes in %s\n", ev.Request.Method, ev.Request.URL.Path, user, ev.Status, ev.Bytes, ev.Duration.Round(time.Microsecond))
		return nil
	}, signals.Name("request timing"))
}

func (a *App) db(r *http.Request) *gorm.DB { return a.DB.WithContext(r.Context()) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers an error: 404 for a missing row, 422 for a refusal by a
// receiver, 400 for bad input, and otherwise reports it through
// signalshttp.Fail (got_request_exception, 500).
func fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	case errors.Is(err, shop.ErrForbiddenTitle):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
	case errors.As(err, new(*json.SyntaxError)), errors.As(err, new(*json.UnmarshalTypeError)), errors.Is(err, io.EOF), errors.Is(err, strconv.ErrSyntax):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		signalshttp.Fail(w, r, err)
	}
}

func (a *App) listBooks(w http.ResponseWriter, r *http.Request) {
	var books []shop.Book
	if err := a.db(r).Preload("Tags").Order("id").Find(&books).Error; err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, books)
}

func (a *App) createBook(w http.ResponseWriter, r *http.Request) {
	var b shop.Book
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		fail(w, r, err)
		return
	}
	if err := a.db(r).Create(&b).Error; err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, b)
}

func (a *App) updateBook(w http.ResponseWriter, r *http.Request) {
	var b shop.Book
	id, err := strconv.Atoi(r.PathValue("id"))
	if err == nil {
		err = a.db(r).First(&b, id).Error
	}
	var patch struct{ Title *string }
	if err == nil {
		err = json.NewDecoder(r.Body).Decode(&patch)
	}
	if err == nil && patch.Title != nil {
		err = a.db(r).Model(&b).Update("title", *patch.Title).Error
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (a *App) deleteBook(w http.ResponseWriter, r *http.Request) { a.delete(w, r, &shop.Book{}) }

func (a *App) deleteAuthor(w http.ResponseWriter, r *http.Request) { a.delete(w, r, &shop.Author{}) }

func (a *App) delete(w http.ResponseWriter, r *http.Request, model any) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	res, err := signalsgorm.Delete(a.db(r), model, id)
	if err != nil {
		fail(w, r, err)
		return
	}
	if res.Total == 0 {
		fail(w, r, gorm.ErrRecordNotFound)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *App) createAuthor(w http.ResponseWriter, r *http.Request) {
	var au shop.Author
	if err := json.NewDecoder(r.Body).Decode(&au); err != nil {
		fail(w, r, err)
		return
	}
	if err := a.db(r).Create(&au).Error; err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, au)
}

func (a *App) listAudit(w http.ResponseWriter, r *http.Request) {
	var audit []shop.AuditLog
	if err := a.db(r).Order("id").Find(&audit).Error; err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, audit)
}

// serveMain runs the HTTP API until interrupted.
func serveMain(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dir := fs.String("dir", "", "data directory (default: a new temporary directory)")
	fs.Parse(args)
	if *dir == "" {
		d, err := os.MkdirTemp("", "bookstore-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	signals.EnableStats(true)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	app, err := Open(ctx, *dir)
	if err != nil {
		return err
	}
	defer app.Close()
	h := LogRequests(os.Stdout)
	defer h.Disconnect()
	go app.Outbox.Run(ctx) // the durable receivers' worker
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app.Handler(), ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelError)}
	fmt.Printf("bookstore: serving on http://%s (data in %s)\n", ln.Addr(), *dir)
	fmt.Printf("  try: curl -X POST -H 'X-User: alice' -d '{\"Title\":\"Dune\"}' http://%s/books\n", ln.Addr())
	fmt.Printf("  and open http://%s/debug/signals\n", ln.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
