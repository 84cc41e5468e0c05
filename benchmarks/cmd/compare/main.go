// Command compare runs the comparative benchmarks: the Go benchmarks of
// package benchmarks (the signals library, the Go alternatives, GORM) and
// the Django script (benchmarks/django/bench.py) on the same workloads, in
// the same run, and prints one table with each pair and its ratio, writing
// it as Markdown to benchmarks/RESULTS.md.
//
//	cd benchmarks && go run ./cmd/compare
//
// Every round starts each Go benchmark group and each Django workload as
// its own process, the two sides of a pair one after the other. A time in
// the tables is the median over the rounds of each round's fastest run; a
// ratio (Django ÷ Go, ÷ signals) is the median over the rounds of the
// ratio within each round, whose two sides ran close together in time.
// The tables also show the peak resident set size of each process. Django comes from Debian's
// python3-django for the system interpreter (/usr/bin/python3); the command
// installs it with apt-get when it is missing, unless -install=false.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/gosignals/signals/benchmarks/internal/moduledir"
)

type config struct {
	dir, out, python, script string
	runs, repeat             int
	benchtime                time.Duration
	django, install          bool
	saves, books, comments   int
}

func main() {
	var cfg config
	flag.StringVar(&cfg.dir, "dir", "", "directory of the benchmarks module (default: found from the working directory)")
	flag.StringVar(&cfg.out, "out", "RESULTS.md", "Markdown file to write, relative to the module's directory (\"\" for none)")
	flag.StringVar(&cfg.python, "python", "/usr/bin/python3", "Python interpreter that imports Django")
	flag.IntVar(&cfg.runs, "runs", 5, "rounds: processes started per benchmark group and side")
	flag.IntVar(&cfg.repeat, "repeat", 3, "timed runs of each database workload per process")
	flag.DurationVar(&cfg.benchtime, "benchtime", 200*time.Millisecond, "time per dispatch benchmark and round, on each side")
	flag.BoolVar(&cfg.django, "django", true, "run the Django side")
	flag.BoolVar(&cfg.install, "install", true, "install python3-django with apt-get when it is missing")
	flag.IntVar(&cfg.saves, "saves", 5000, "objects saved in the save workload")
	flag.IntVar(&cfg.books, "books", 2000, "books of the author deleted in the cascade workload")
	flag.IntVar(&cfg.comments, "comments", 5, "comments of each book in the cascade workload")
	flag.Parse()
	if cfg.runs < 1 || cfg.repeat < 1 || cfg.saves < 1 || cfg.books < 1 || cfg.comments < 0 {
		fmt.Fprintln(os.Stderr, "compare: need -runs ≥ 1, -repeat ≥ 1, -saves ≥ 1, -books ≥ 1, -comments ≥ 0")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := compare(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "compare: "+format+"\n", args...) }

func compare(ctx context.Context, cfg config) error {
	dir, err := moduledir.Find(cfg.dir)
	if err != nil {
		return err
	}
	cfg.script = filepath.Join(dir, "django", "bench.py")
	m := describe()
	if cfg.django {
		if err := ensureDjango(ctx, cfg.python, cfg.install, logf); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "signals-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "benchmarks.test")
	logf("building the Go benchmarks")
	build := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, ".")
	build.Dir, build.Stderr = dir, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go test -c: %w", err)
	}

	c := newCollector()
	js := jobs(cfg, bin)
	for round := 1; round <= cfg.runs; round++ {
		for _, j := range js {
			logf("round %d/%d: %s", round, cfg.runs, j.name)
			out, rss, err := run(ctx, tmp, j)
			if err != nil {
				return err
			}
			if err := c.record(j, round, out, rss); err != nil {
				return err
			}
		}
	}
	m.loadAfter = loadavg()
	r := buildReport(c, sizes{cfg.saves, cfg.books, cfg.comments})

	fmt.Print(r.text(cfg, m, c))
	if cfg.out != "" {
		path := cfg.out
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		if err := os.WriteFile(path, []byte(r.markdown(cfg, m, c)), 0o644); err != nil {
			return err
		}
		logf("wrote %s", path)
	}
	return nil
}

// setup describes the run in one paragraph.
func setup(cfg config, m machine, c *collector) string {
	s := fmt.Sprintf("%s, %d CPUs, load average %s before and %s after the run (%s). "+
		"Go side: %s, GORM on modernc.org/sqlite (SQLite %s). ",
		m.cpu, m.cpus, m.loadBefore, m.loadAfter, time.Since(c.start).Round(time.Second), m.goVersion, m.goSQLite)
	if d := c.django; d.Django != "" {
		s += fmt.Sprintf("Django side: Django %s on Python %s (SQLite %s). ", d.Django, d.Python, d.SQLite)
	}
	s += fmt.Sprintf("Each round runs every benchmark group of each side as its own process, "+
		"the two sides of a pair one after the other; there were %d rounds. "+
		"A time is the median over the rounds of each round's fastest run (of %d timed runs per process for the save and cascade workloads). "+
		"A ratio is the median over the rounds of the ratio within each round, not the ratio of two medians: "+
		"both sides of a round ran close together, under the same load. "+
		"Peak RSS is the largest resident set of those processes.", cfg.runs, cfg.repeat)
	return s
}

func (r *report) text(cfg config, m machine, c *collector) string {
	var b strings.Builder
	b.WriteString("\n" + setup(cfg, m, c) + "\n\n")
	if cfg.django {
		b.WriteString("Against Django\n\n" + r.djangoTable().Text() + "\n")
	}
	b.WriteString("Go implementations\n\n" + r.goTable().Text() + "\n")
	b.WriteString("Targets\n\n" + r.targets(false))
	return b.String()
}

func (r *report) markdown(cfg config, m machine, c *collector) string {
	var b strings.Builder
	b.WriteString("# Comparative benchmarks\n\n")
	b.WriteString("Written by `cd benchmarks && go run ./cmd/compare` (or `make compare`) on " +
		c.start.UTC().Format("2006-01-02 15:04 MST") + ". Rerun it on your machine: figures vary with the machine and its load.\n\n")
	b.WriteString(setup(cfg, m, c) + "\n\n")
	if cfg.django {
		b.WriteString("## Against Django\n\n" + r.djangoTable().Markdown() + "\n")
	}
	b.WriteString("## Go implementations\n\n" + r.goTable().Markdown() + "\n")
	b.WriteString("Time per operation: one send for the dispatch rows, one whole workload for the others. " +
		"B/op and allocs/op are Go's -benchmem figures for that operation.\n\n")
	b.WriteString("## Targets\n\n" + r.targets(true))
	return b.String()
}

// targets lists the checks, then a closing note on the missed ones.
func (r *report) targets(md bool) string {
	var b strings.Builder
	var missed []check
	for _, c := range r.checks {
		fmt.Fprintf(&b, "- %s: %s — %s\n", r.label(c.workload), c.what, c.verdict)
		if !c.met {
			missed = append(missed, c)
		}
	}
	if len(r.checks) == 0 {
		b.WriteString("- no target could be evaluated\n")
	}
	if len(missed) > 0 {
		if md {
			b.WriteString("\n### Closing note\n\n")
		} else {
			b.WriteString("\nClosing note\n\n")
		}
		for _, c := range missed {
			fmt.Fprintf(&b, "- %s, %s: %s\n", r.label(c.workload), c.what, c.why)
		}
	}
	return b.String()
}

func (r *report) label(w string) string {
	return workloadName(w, r.sz)
}
