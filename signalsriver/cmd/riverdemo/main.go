// Command riverdemo runs durable receivers as River jobs and serves River
// UI over them: a few customers are saved, each save enqueues five jobs
// in its transaction (one per durable receiver), and the jobs end up in
// every state River UI shows.
//
//	go run ./signalsriver/cmd/riverdemo                      # SQLite, in a temporary file
//	go run ./signalsriver/cmd/riverdemo -postgres 'host=127.0.0.1 user=postgres dbname=test'
//
// Then open http://127.0.0.1:8090/riverui/. It runs until interrupted, or
// for the -for duration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/gosignals/signals/signalsriver/internal/demo"
	"github.com/gosignals/signals/signalsriver/signalsriverui"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "address to serve River UI on")
	pg := flag.String("postgres", "", "PostgreSQL DSN (default: a SQLite file in a temporary directory)")
	n := flag.Int("customers", 12, "customers to save")
	runFor := flag.Duration("for", 0, "stop after this long (default: until interrupted)")
	flag.Parse()
	if err := run(*addr, *pg, *n, *runFor); err != nil {
		log.Fatal(err)
	}
}

func run(addr, pg string, n int, runFor time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if runFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, runFor)
		defer cancel()
	}
	dir, err := os.MkdirTemp("", "riverdemo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	app, err := demo.Open(ctx, pg, filepath.Join(dir, "demo.db"), logger)
	if err != nil {
		return err
	}
	defer app.Stop()
	if err := app.Write(ctx, n); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- app.Worker.Run(ctx) }()
	ui, err := signalsriverui.Handler(ctx, app.Worker.Client(), signalsriverui.Options{Prefix: "/riverui", Logger: logger})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/riverui/", ui)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Printf("River UI: http://%s/riverui/ (%d customers saved, %d jobs)\n", ln.Addr(), n, 5*n)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-done
}
