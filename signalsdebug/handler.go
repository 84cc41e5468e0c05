package signalsdebug

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

//go:embed page.html
var pageHTML string

//go:embed durable.html
var durableHTML string

var page = template.Must(template.Must(template.New("page").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
	"dur": func(ns int64) string { return formatDuration(time.Duration(ns)) },
}).Parse(pageHTML)).Parse(durableHTML))

// Handler returns the handler of the /debug/signals page. Mount it under a
// path of your choice:
//
//	mux.Handle("/debug/signals/", signalsdebug.Handler())
//
// It serves the HTML page for GET and HEAD, and the [Snapshot] as JSON when
// the query has format=json or the path ends in "/json". Like
// net/http/pprof it shows the program's internals (function names, file
// paths, SQL): mount it where only developers can reach it.
//
// [WithOutbox] adds the durable receivers panel; [ShowValues] and
// [AllowReplay] widen what it shows and does.
func Handler(opts ...Option) http.Handler {
	o := newOptions(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(w, r, o) })
}

func serve(w http.ResponseWriter, r *http.Request, o *options) {
	if strings.HasSuffix(r.URL.Path, "/durable/replay") {
		o.serveReplay(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "signalsdebug: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	snap := Collect()
	replayed, err := strconv.Atoi(r.URL.Query().Get("replayed"))
	if err != nil {
		replayed = -1
	}
	durable := o.collectDurable(r.Context(), replayed)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("format") == "json" || strings.HasSuffix(r.URL.Path, "/json") {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			Snapshot
			Durable *Durable `json:"durable,omitempty"`
		}{snap, durable})
		return
	}
	data := view(snap)
	data.Durable = durable
	var buf bytes.Buffer
	if err := page.Execute(&buf, data); err != nil {
		http.Error(w, "signalsdebug: rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// pageData is the snapshot arranged for the template.
type pageData struct {
	Snapshot
	ReceiverCount int
	// Silent lists the signals without receivers.
	Silent  []string
	Traces  []pageTrace
	Durable *Durable
}

type pageTrace struct {
	Trace
	Steps []pageStep
}

// pageStep places a step on its trace's timeline: Left and Width are
// percentages of the trace's duration, Indent its nesting in em.
type pageStep struct {
	Step
	Left, Width, Indent string
}

func view(s Snapshot) pageData {
	d := pageData{Snapshot: s}
	for _, sig := range s.Signals {
		d.ReceiverCount += len(sig.Receivers)
		if len(sig.Receivers) == 0 {
			d.Silent = append(d.Silent, sig.Name)
		}
	}
	for _, tr := range s.Traces {
		pt := pageTrace{Trace: tr}
		total := float64(max(tr.DurationNS, 1))
		for _, st := range tr.Steps {
			left := min(float64(st.StartNS)/total*100, 100)
			width := min(float64(st.DurationNS)/total*100, 100-left)
			pt.Steps = append(pt.Steps, pageStep{Step: st, Left: pct(left), Width: pct(width),
				Indent: strconv.FormatFloat(0.25+1.2*float64(st.Depth), 'f', 2, 64)})
		}
		d.Traces = append(d.Traces, pt)
	}
	return d
}

func pct(f float64) string { return strconv.FormatFloat(max(f, 0), 'f', 3, 64) }

// formatDuration shows a duration with about three significant digits.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Microsecond:
		return strconv.FormatInt(int64(d), 10) + "ns"
	case d < time.Millisecond:
		return sig3(float64(d)/1e3) + "µs"
	case d < time.Second:
		return sig3(float64(d)/1e6) + "ms"
	}
	return sig3(d.Seconds()) + "s"
}

func sig3(f float64) string {
	prec := 2
	switch {
	case f >= 100:
		prec = 0
	case f >= 10:
		prec = 1
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}
