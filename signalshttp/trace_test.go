package signalshttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalshttp"
)

// With WithTrace, each request is a trace named, once the mux has routed
// it, by its method and route pattern (or its path), holding the request
// signals and what the handler sent; the trace is stopped and kept in the
// history, whatever way the request ended.
func TestWithTraceNamesTheTraceByRoute(t *testing.T) {
	t.Parallel()
	okHandler := func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /books/{id}", okHandler)
	mux.HandleFunc("/static/", okHandler)
	mux.HandleFunc("POST /fail", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("GET /abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	byHeader := func(r *http.Request) string { return "by header " + r.Header.Get("X-Route") }
	tests := []struct {
		name, method, path string
		h                  http.Handler
		opt                signalshttp.Option
		want               string
	}{
		{"pattern with a method", "GET", "/books/7", mux, signalshttp.WithTrace(), "GET /books/{id}"},
		{"pattern without a method", "GET", "/static/app.css", mux, signalshttp.WithTrace(), "GET /static/"},
		{"no route matched", "GET", "/nowhere", mux, signalshttp.WithTrace(), "GET /nowhere"},
		{"no mux", "DELETE", "/books/7", http.HandlerFunc(okHandler), signalshttp.WithTrace(), "DELETE /books/7"},
		{"panic", "POST", "/fail", mux, signalshttp.WithTrace(), "POST /fail"},
		{"abort", "GET", "/abort", mux, signalshttp.WithTrace(), "GET /abort"},
		{"WithTraceName", "GET", "/books/7", mux, signalshttp.WithTraceName(byHeader), "by header books"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs := record(t)
			var tr *signals.Trace
			capture := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tr = signals.TraceFrom(r.Context())
				tt.h.ServeHTTP(w, r)
			})
			h, _ := rs.middleware(capture, tt.opt)
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("X-Route", "books")
			func() {
				defer func() { _ = recover() }() // the abort's http.ErrAbortHandler
				h.ServeHTTP(httptest.NewRecorder(), req)
			}()
			if tr == nil {
				t.Fatal("the handler's context records no trace")
			}
			if got := tr.Name(); got != tt.want || !tr.Stopped() {
				t.Errorf("trace %q (stopped: %v), want %q, stopped", got, tr.Stopped(), tt.want)
			}
			if !slices.Contains(signals.Traces(), tr) {
				t.Error("the trace is not in the history of signals.Traces")
			}
			var sends []string
			for _, s := range tr.Steps() {
				if s.Kind == signals.StepSend {
					sends = append(sends, s.Name)
				}
			}
			want := []string{"request_started", "request_finished"}
			if tt.name == "panic" {
				want = []string{"request_started", "got_request_exception", "request_finished"}
			}
			if !slices.Equal(sends, want) {
				t.Errorf("the trace's sends are %v, want %v", sends, want)
			}
		})
	}
}

// What the handler does with the request's context is in the trace,
// between request_started and request_finished; without WithTrace there
// is no trace.
func TestWithTraceRecordsTheHandlersWork(t *testing.T) {
	t.Parallel()
	rs := record(t)
	placed := signals.New[string]("signalshttp_test.order_placed")
	placed.ConnectFunc(func(ctx context.Context, id string) error { return errors.New("out of stock") }, signals.Name("reserve stock"))
	var tr *signals.Trace
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		tr = signals.TraceFrom(r.Context())
		if err := placed.Send(r.Context(), nil, "o-1"); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
		}
	})
	for _, opts := range [][]signalshttp.Option{nil, {signalshttp.WithoutRequestContext()}} {
		h, _ := rs.middleware(mux, append(opts, signalshttp.WithTrace())...)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/orders", nil))
		if tr == nil {
			t.Fatalf("%d options: no trace", len(opts))
		}
		var got []string
		for _, s := range tr.Steps() {
			got = append(got, s.Kind+" "+s.Name+" "+s.Outcome.String())
		}
		want := []string{
			"send request_started ok", "receiver signalstest.Recorder ok",
			"send signalshttp_test.order_placed error", "receiver reserve stock error",
			"send request_finished ok", "receiver signalstest.Recorder ok",
		}
		if tr.Name() != "POST /orders" || !slices.Equal(got, want) {
			t.Errorf("%d options: trace %q:\n\t%v\nwant\n\t%v", len(opts), tr.Name(), got, want)
		}
	}

	h, _ := rs.middleware(mux)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/orders", nil))
	if tr != nil {
		t.Errorf("without WithTrace the request records trace %q", tr.Name())
	}
}
