package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A sample is what one run measured for one benchmark: the time per
// operation and the other figures of the run ("B/op", "allocs/op",
// "queries/op", "pre_save/op", ...), and the round that ran it (set by
// the collector).
type sample struct {
	ns      float64
	metrics map[string]float64
	round   int
}

// A key names a measured series: a workload ("send/r=1", "save") and an
// implementation ("gosignals", "eventbus", "django").
type key struct{ workload, impl string }

// workloadNames maps the Go benchmark functions to workload names.
var workloadNames = map[string]string{
	"Send":      "send",
	"SendAsync": "async",
	"Save":      "save",
	"Cascade":   "cascade",
}

// benchKey maps a Go benchmark name ("BenchmarkSend/gosignals/r=1-2") to
// its key ({"send/r=1", "gosignals"}).
func benchKey(name string) (key, error) {
	name = strings.TrimPrefix(name, "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i] // the GOMAXPROCS suffix
		}
	}
	parts := strings.Split(name, "/")
	w, ok := workloadNames[parts[0]]
	if !ok || len(parts) < 2 {
		return key{}, fmt.Errorf("unexpected benchmark %q", name)
	}
	return key{workload: strings.Join(append([]string{w}, parts[2:]...), "/"), impl: parts[1]}, nil
}

// parseGoBench reads the output of a Go test binary run with -test.bench
// and returns the samples of each benchmark, one per line (-test.count
// repeats them). A FAIL line or a panic is an error.
func parseGoBench(r io.Reader) (map[key][]sample, error) {
	out := map[key][]sample{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "panic:") {
			return nil, fmt.Errorf("benchmark failed: %s", line)
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // a benchmark's name printed before its log lines
		}
		k, err := benchKey(f[0])
		if err != nil {
			return nil, err
		}
		s := sample{ns: -1, metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %q: value %q: %w", line, f[i], err)
			}
			if f[i+1] == "ns/op" {
				s.ns = v
			} else {
				s.metrics[f[i+1]] = v
			}
		}
		if s.ns < 0 {
			return nil, fmt.Errorf("line %q has no ns/op", line)
		}
		out[k] = append(out[k], s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no benchmark result in the output")
	}
	return out, nil
}

// djangoOutput is the JSON object benchmarks/django/bench.py prints.
type djangoOutput struct {
	Django   string         `json:"django"`
	Python   string         `json:"python"`
	SQLite   string         `json:"sqlite"`
	Workload string         `json:"workload"`
	Results  []djangoResult `json:"results"`
}

type djangoResult struct {
	Name    string           `json:"name"`
	Unit    string           `json:"unit"`
	Samples []float64        `json:"samples"`
	Queries *float64         `json:"queries"`
	Signals map[string]int64 `json:"signals"`
}

// parseDjango reads the script's output and returns its samples, keyed
// like the Go side's, with queries and signal counts as metrics named as
// the Go benchmarks report them ("queries/op", "pre_save/op").
func parseDjango(r io.Reader) (djangoOutput, map[key][]sample, error) {
	var d djangoOutput
	if err := json.NewDecoder(r).Decode(&d); err != nil {
		return d, nil, fmt.Errorf("reading the Django script's JSON: %w", err)
	}
	out := map[key][]sample{}
	for _, res := range d.Results {
		if res.Unit != "ns/op" || len(res.Samples) == 0 {
			return d, nil, fmt.Errorf("django result %q: unit %q, %d samples", res.Name, res.Unit, len(res.Samples))
		}
		k := key{workload: res.Name, impl: "django"}
		for _, ns := range res.Samples {
			s := sample{ns: ns, metrics: map[string]float64{}}
			if res.Queries != nil {
				s.metrics["queries/op"] = *res.Queries
			}
			for name, n := range res.Signals {
				s.metrics[name+"/op"] = float64(n)
			}
			out[k] = append(out[k], s)
		}
	}
	return d, out, nil
}
