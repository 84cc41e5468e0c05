// Package signalsriverui serves River UI (riverqueue.com/riverui) for the
// River client of a signalsriver worker: the jobs of durable receivers by
// state, with their arguments (the receiver and the event), attempts and
// errors; retry, cancel and delete buttons; the queues, one per receiver,
// with pause and resume.
//
//	h, err := signalsriverui.Handler(ctx, w.Client(), signalsriverui.Options{Prefix: "/riverui"})
//	if err != nil {
//		return err
//	}
//	mux.Handle("/riverui/", h)
//
// River UI has no authentication of its own: mount it behind yours.
package signalsriverui

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/riverqueue/river"
	"riverqueue.com/riverui"
)

// Options configure [Handler].
type Options struct {
	// Prefix is the path River UI serves its pages and API under, as
	// mounted ("/riverui"); default "/".
	Prefix string
	// Logger receives River UI's request logs and errors; default
	// slog.Default().
	Logger *slog.Logger
}

// Handler returns River UI for client, a River client with a database
// pool (signalsriver's Worker.Client). Its background services (caches
// of counts and queues) run until ctx is done.
func Handler(ctx context.Context, client *river.Client[*sql.Tx], opts Options) (http.Handler, error) {
	if client == nil {
		return nil, errors.New("signalsriverui: Handler: nil River client (pass Worker.Client())")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(client, nil),
		Logger:    logger,
		Prefix:    opts.Prefix,
	})
	if err != nil {
		return nil, fmt.Errorf("signalsriverui: %w", err)
	}
	if err := h.Start(ctx); err != nil {
		return nil, fmt.Errorf("signalsriverui: starting River UI: %w", err)
	}
	return h, nil
}
