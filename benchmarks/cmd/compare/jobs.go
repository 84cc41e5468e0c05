package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A job is one process the command starts in every round: the Go test
// binary running one group of benchmarks, or the Django script running one
// workload. Each job is its own process so that its peak RSS is its own.
type job struct {
	name   string
	argv   []string
	django bool
}

// jobs returns the jobs of a round, each Go group next to its Django
// counterpart, so that both sides of a pair run close in time.
func jobs(cfg config, testBin string) []job {
	goJob := func(bench, benchtime string, count int) job {
		argv := []string{testBin, "-test.run=^$", "-test.bench=" + bench, "-test.benchmem",
			"-test.count=" + strconv.Itoa(count), "-test.benchtime=" + benchtime,
			"-saves=" + strconv.Itoa(cfg.saves), "-books=" + strconv.Itoa(cfg.books),
			"-comments=" + strconv.Itoa(cfg.comments)}
		return job{name: "go " + bench, argv: argv}
	}
	djJob := func(workload string, count int) job {
		argv := []string{cfg.python, cfg.script, workload, "--runs=" + strconv.Itoa(count),
			"--min-time=" + strconv.FormatFloat(cfg.benchtime.Seconds(), 'f', -1, 64),
			"--saves=" + strconv.Itoa(cfg.saves), "--books=" + strconv.Itoa(cfg.books),
			"--comments=" + strconv.Itoa(cfg.comments)}
		return job{name: "django " + workload, argv: argv, django: true}
	}
	bt := cfg.benchtime.String()
	var js []job
	add := func(j job, dj bool) {
		if !j.django || dj {
			js = append(js, j)
		}
	}
	d := cfg.django
	// The database workloads are timed -repeat times per process.
	rep := cfg.repeat
	add(goJob("^BenchmarkSend$/^gosignals$", bt, 1), d)
	add(goJob("^BenchmarkSend$/^loop$", bt, 1), d)
	add(goJob("^BenchmarkSend$/^eventbus$", bt, 1), d)
	add(djJob("send", 1), d)
	add(goJob("^BenchmarkSendAsync$/^gosignals$", bt, 1), d)
	add(goJob("^BenchmarkSendAsync$/^watermill$", bt, 1), d)
	add(goJob("^BenchmarkSave$/^gorm$", "1x", rep), d)
	add(goJob("^BenchmarkSave$/^hooks$", "1x", rep), d)
	add(goJob("^BenchmarkSave$/^gosignals$", "1x", rep), d)
	add(djJob("save", rep), d)
	add(goJob("^BenchmarkCascade$/^dbcascade$", "1x", rep), d)
	add(goJob("^BenchmarkCascade$/^gosignals$", "1x", rep), d)
	add(djJob("cascade", rep), d)
	return js
}

// run starts j and waits for it, returning its standard output and its
// peak resident set size in KiB.
func run(ctx context.Context, dir string, j job) ([]byte, int64, error) {
	cmd := exec.CommandContext(ctx, j.argv[0], j.argv[1:]...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var rss int64
	if cmd.ProcessState != nil {
		rss = maxRSS(cmd.ProcessState)
	}
	if err != nil {
		return nil, rss, fmt.Errorf("%s: %w\n%s%s", j.name, err, tail(stdout.String()), tail(stderr.String()))
	}
	return stdout.Bytes(), rss, nil
}

func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// A series is a benchmark's samples over the rounds and the peak RSS of
// the processes that measured it.
type series struct {
	samples []sample
	rssKiB  int64
}

// collector gathers the series of a whole run.
type collector struct {
	series map[key]*series
	django djangoOutput
	start  time.Time
}

func newCollector() *collector {
	return &collector{series: map[key]*series{}, start: time.Now()}
}

// add appends s, measured in round (1, 2, ...), to the series of k.
func (c *collector) add(k key, round int, s sample, rss int64) {
	s.round = round
	se := c.series[k]
	if se == nil {
		se = &series{}
		c.series[k] = se
	}
	se.samples = append(se.samples, s)
	se.rssKiB = max(se.rssKiB, rss)
}

// record parses the output of a job run in round into the collector.
func (c *collector) record(j job, round int, out []byte, rss int64) error {
	if j.django {
		d, samples, err := parseDjango(bytes.NewReader(out))
		if err != nil {
			return fmt.Errorf("%s: %w", j.name, err)
		}
		c.django = d
		for k, ss := range samples {
			for _, s := range ss {
				c.add(k, round, s, rss)
			}
		}
		return nil
	}
	samples, err := parseGoBench(bytes.NewReader(out))
	if err != nil {
		return fmt.Errorf("%s: %w", j.name, err)
	}
	for k, ss := range samples {
		for _, s := range ss {
			c.add(k, round, s, rss)
		}
	}
	return nil
}

// summarize reduces a series to what the tables show. A round's figure is
// its fastest sample (a database workload is timed -repeat times in one
// process: the fastest run is the one the machine disturbed least); the
// series' time is the median of its rounds' figures, and its other metrics
// are those of the median round.
func summarize(se *series) measured {
	best := map[int]sample{}
	for _, s := range se.samples {
		if b, ok := best[s.round]; !ok || s.ns < b.ns {
			best[s.round] = s
		}
	}
	figures := make([]sample, 0, len(best))
	rounds := make(map[int]float64, len(best))
	ns := make([]float64, 0, len(best))
	for r, s := range best {
		figures = append(figures, s)
		rounds[r] = s.ns
		ns = append(ns, s.ns)
	}
	sort.Slice(figures, func(i, j int) bool { return figures[i].ns < figures[j].ns })
	m := measured{sample: figures[(len(figures)-1)/2], rounds: rounds, rssKiB: se.rssKiB, ok: true}
	m.ns = median(ns)
	return m
}

// ratio returns a's time divided by b's as the median, over the rounds
// that measured both, of the ratio within each round. The two sides of a
// ratio run one after the other in a round, so that load on the machine
// hits both; taking each side's best or median over the whole run instead
// would divide figures from different moments, which a loaded machine
// makes unstable. It returns NaN when no round measured both.
func ratio(a, b measured) float64 {
	var rs []float64
	for r, an := range a.rounds {
		if bn, ok := b.rounds[r]; ok && bn > 0 {
			rs = append(rs, an/bn)
		}
	}
	if len(rs) == 0 {
		return math.NaN()
	}
	return median(rs)
}

// median returns the median of v (the mean of the two middle values when
// their number is even), or NaN for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}
