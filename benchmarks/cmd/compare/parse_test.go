package main

import (
	"reflect"
	"strings"
	"testing"
)

const goOutput = `goos: linux
goarch: amd64
pkg: github.com/gosignals/signals/benchmarks
cpu: AMD EPYC
BenchmarkSend/gosignals/r=0-2         	299167730	         3.989 ns/op	       0 B/op	       0 allocs/op
BenchmarkSend/gosignals/r=10-2        	 39849146	        28.10 ns/op	       0 B/op	       0 allocs/op
BenchmarkSendAsync/watermill/r=1-2    	    37074	     32400 ns/op	    1842 B/op	      25 allocs/op
BenchmarkSave/gosignals
BenchmarkSave/gosignals-2             	       1	 112345678 ns/op	      5000 post_save/op	      5000 pre_save/op	      5000 queries/op	27330680 B/op	  375184 allocs/op
BenchmarkSave/gosignals-2             	       1	  98765432 ns/op	      5000 post_save/op	      5000 pre_save/op	      5000 queries/op	27330680 B/op	  375184 allocs/op
PASS
`

func TestParseGoBench(t *testing.T) {
	got, err := parseGoBench(strings.NewReader(goOutput))
	if err != nil {
		t.Fatal(err)
	}
	save := func(ns float64) sample {
		return sample{ns: ns, metrics: map[string]float64{"post_save/op": 5000, "pre_save/op": 5000,
			"queries/op": 5000, "B/op": 27330680, "allocs/op": 375184}}
	}
	want := map[key][]sample{
		{"send/r=0", "gosignals"}:  {{ns: 3.989, metrics: map[string]float64{"B/op": 0, "allocs/op": 0}}},
		{"send/r=10", "gosignals"}: {{ns: 28.10, metrics: map[string]float64{"B/op": 0, "allocs/op": 0}}},
		{"async/r=1", "watermill"}: {{ns: 32400, metrics: map[string]float64{"B/op": 1842, "allocs/op": 25}}},
		{"save", "gosignals"}:      {save(112345678), save(98765432)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestParseGoBenchErrors(t *testing.T) {
	for name, out := range map[string]string{
		"failed":     "--- FAIL: BenchmarkCascade/gosignals\n    bench_db_test.go:140: after the delete: 3 rows left\nFAIL\n",
		"panic":      "panic: runtime error\n",
		"empty":      "PASS\n",
		"no ns/op":   "BenchmarkSave/gorm-2 1 5000 queries/op\n",
		"unknown":    "BenchmarkOther/x-2 1 5 ns/op\n",
		"bad number": "BenchmarkSave/gorm-2 1 five ns/op\n",
	} {
		if _, err := parseGoBench(strings.NewReader(out)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestBenchKey(t *testing.T) {
	for name, want := range map[string]key{
		"BenchmarkSend/loop/r=1-2":      {"send/r=1", "loop"},
		"BenchmarkSend/loop/r=1":        {"send/r=1", "loop"},
		"BenchmarkCascade/dbcascade-16": {"cascade", "dbcascade"},
		"BenchmarkSave/hooks-2":         {"save", "hooks"},
	} {
		got, err := benchKey(name)
		if err != nil || got != want {
			t.Errorf("benchKey(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
}

func TestParseDjango(t *testing.T) {
	const out = `{"django": "3.2.25", "python": "3.11.2", "sqlite": "3.40.1", "workload": "cascade",
		"results": [{"name": "cascade", "unit": "ns/op", "samples": [209791599, 300673099], "queries": 126,
		"kinds": {"select": 5, "delete": 121}, "signals": {"pre_delete": 12001, "post_delete": 12001}}]}`
	d, got, err := parseDjango(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if d.Django != "3.2.25" || d.Python != "3.11.2" || d.SQLite != "3.40.1" {
		t.Errorf("versions %+v", d)
	}
	m := map[string]float64{"queries/op": 126, "pre_delete/op": 12001, "post_delete/op": 12001}
	want := map[key][]sample{{"cascade", "django"}: {{ns: 209791599, metrics: m}, {ns: 300673099, metrics: m}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	for _, bad := range []string{`{"results": [{"name": "x", "unit": "s", "samples": [1]}]}`,
		`{"results": [{"name": "x", "unit": "ns/op", "samples": []}]}`, `not json`} {
		if _, _, err := parseDjango(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
