package signalsdebug_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalsdebug"
)

// Mount the page next to pprof; the JSON endpoint serves the same data to
// scripts.
func Example() {
	greeted := signals.New[string]("example.greeted")
	greeted.ConnectFunc(func(context.Context, string) error { return nil }, signals.Name("welcome mail"),
		signals.Mode("after_commit"))
	greeted.ConnectFunc(func(context.Context, string) error { return nil }, signals.Name("audit"), signals.Priority(1))

	mux := http.NewServeMux()
	mux.Handle("/debug/signals/", signalsdebug.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/debug/signals/?format=json")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var snap signalsdebug.Snapshot
	if err := json.NewDecoder(res.Body).Decode(&snap); err != nil {
		panic(err)
	}
	for _, s := range snap.Signals {
		if s.Name != "example.greeted" {
			continue
		}
		for i, r := range s.Receivers {
			fmt.Printf("%d. %s (%s)\n", i+1, r.Name, r.Mode)
		}
	}
	// Output:
	// 1. audit (inline)
	// 2. welcome mail (after_commit)
}
