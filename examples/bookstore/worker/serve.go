package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/examples/bookstore/shop"
	"github.com/gosignals/signals/signalsdebug"
	"github.com/gosignals/signals/signalshttp"
)

// serve runs the serve mode until ctx is done: /debug/signals, POST
// /authors, and the engine's pages (River UI). A failure of the server
// is sent to errs. stop shuts the server down.
func serve(ctx context.Context, cfg Config, db *gorm.DB, eng engine, w io.Writer, errs chan<- error) (stop func(), err error) {
	signals.EnableStats(true)
	mux := http.NewServeMux()
	mux.Handle("/debug/signals", signalsdebug.Handler())
	mux.Handle("/debug/signals/", signalsdebug.Handler())
	create := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { createAuthor(rw, r, db) })
	mux.Handle("POST /authors", signalshttp.Middleware(signalshttp.WithTrace())(create))
	var pages map[string]http.Handler
	if p, ok := eng.(pager); ok {
		if pages, err = p.Pages(ctx); err != nil {
			return nil, err
		}
		for pattern, h := range pages {
			mux.Handle(pattern, h)
		}
	}
	ln := cfg.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.Serve); err != nil {
			return nil, fmt.Errorf("worker: -serve: %w", err)
		}
	}
	srv := &http.Server{Handler: mux, ErrorLog: slog.NewLogLogger(cfg.Log.Handler(), slog.LevelError)}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("worker: serving: %w", err)
		}
	}()
	fmt.Fprintf(w, "worker: serving http://%s/debug/signals\n", ln.Addr())
	for _, pattern := range slices.Sorted(maps.Keys(pages)) {
		fmt.Fprintf(w, "worker: serving http://%s%s\n", ln.Addr(), pattern)
	}
	fmt.Fprintf(w, "worker: try curl -d '{\"Name\":\"Ursula K. Le Guin\",\"Email\":\"ursula@example.com\"}' http://%s/authors\n", ln.Addr())
	return func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}, nil
}

// createAuthor creates the author of the request's body; its welcome
// e-mail is a durable event, in the transaction of the insert.
func createAuthor(w http.ResponseWriter, r *http.Request, db *gorm.DB) {
	var a shop.Author
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := db.WithContext(r.Context()).Create(&a).Error; err != nil {
		signalshttp.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(a)
}
