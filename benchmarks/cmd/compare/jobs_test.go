package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJobs(t *testing.T) {
	cfg := config{python: "/usr/bin/python3", script: "bench.py", repeat: 3, benchtime: 200 * time.Millisecond,
		saves: 10, books: 2, comments: 1, django: true}
	js := jobs(cfg, "bench.test")
	var names []string
	for _, j := range js {
		names = append(names, j.name)
	}
	want := []string{
		"go ^BenchmarkSend$/^gosignals$", "go ^BenchmarkSend$/^loop$", "go ^BenchmarkSend$/^eventbus$", "django send",
		"go ^BenchmarkSendAsync$/^gosignals$", "go ^BenchmarkSendAsync$/^watermill$",
		"go ^BenchmarkSave$/^gorm$", "go ^BenchmarkSave$/^hooks$", "go ^BenchmarkSave$/^gosignals$", "django save",
		"go ^BenchmarkCascade$/^dbcascade$", "go ^BenchmarkCascade$/^gosignals$", "django cascade",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("jobs %q\nwant %q", names, want)
	}
	argv := func(name string) string {
		for _, j := range js {
			if j.name == name {
				return strings.Join(j.argv, " ")
			}
		}
		return ""
	}
	for name, parts := range map[string][]string{
		"go ^BenchmarkSend$/^loop$":         {"bench.test ", "-test.run=^$", "-test.benchmem", "-test.count=1", "-test.benchtime=200ms"},
		"go ^BenchmarkSave$/^gorm$":         {"-test.count=3", "-test.benchtime=1x", "-saves=10", "-books=2", "-comments=1"},
		"django send":                       {"/usr/bin/python3 bench.py send", "--runs=1", "--min-time=0.2"},
		"django cascade":                    {"--runs=3", "--books=2", "--comments=1"},
		"go ^BenchmarkCascade$/^dbcascade$": {"-test.count=3"},
	} {
		for _, p := range parts {
			if !strings.Contains(argv(name), p) {
				t.Errorf("%s: argv %q lacks %q", name, argv(name), p)
			}
		}
	}
	cfg.django = false
	for _, j := range jobs(cfg, "bench.test") {
		if j.django {
			t.Errorf("-django=false still runs %s", j.name)
		}
	}
}
