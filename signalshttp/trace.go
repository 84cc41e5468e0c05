package signalshttp

import (
	"net/http"
	"strings"

	"github.com/gosignals/signals"
)

// startTrace starts the trace of a request for [WithTrace]: it returns the
// request with the trace in its context, and the trace. The trace is named
// by the path until the handler has returned (see endTrace).
func startTrace(r *http.Request) (*http.Request, *signals.Trace) {
	ctx, tr := signals.StartTrace(r.Context(), r.Method+" "+r.URL.Path)
	return r.WithContext(ctx), tr
}

// endTrace names the trace of a request once the handler has returned, and
// stops it.
func (c *config) endTrace(tr *signals.Trace, r *http.Request) {
	name := c.traceName
	if name == nil {
		name = routeName
	}
	tr.SetName(name(r))
	tr.Stop()
}

// routeName names a request by its method and the pattern http.ServeMux
// matched, which holds the method when it was registered with one ("GET
// /books/{id}"), or by its method and path.
func routeName(r *http.Request) string {
	switch p := r.Pattern; {
	case p == "":
		return r.Method + " " + r.URL.Path
	case !strings.ContainsAny(p, " \t"):
		return r.Method + " " + p // no method in the pattern ("/debug/", "example.com/")
	default:
		return p
	}
}
