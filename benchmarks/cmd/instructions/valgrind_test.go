package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gosignals/signals/benchmarks/internal/callgrind"
	"github.com/gosignals/signals/benchmarks/internal/moduledir"
	"github.com/gosignals/signals/internal/longtest"
)

// requireValgrind skips t unless valgrind runs here and the harness can
// switch callgrind's collection on this architecture.
func requireValgrind(t *testing.T) string {
	t.Helper()
	if !callgrind.Supported {
		t.Skip("callgrind client requests are implemented on amd64 only")
	}
	v, err := exec.LookPath("valgrind")
	if err != nil {
		t.Skip("valgrind is not installed")
	}
	return v
}

// The real thing on a small run: cgsend under callgrind counts the sends
// and only them, so the instructions grow with the number of sends (the
// count is the same per send for 1 000 and 3 000), and the functions'
// counts add up to the total.
func TestCallgrindSend(t *testing.T) {
	valgrind := requireValgrind(t)
	moduleDir, err := moduledir.Find("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bins, err := build(ctx, moduleDir, t.TempDir(), []string{"cgsend"}, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{valgrind: valgrind, dir: t.TempDir()}
	run := func(n string) measurement {
		t.Helper()
		b := bench{name: "send/send/1", prog: "cgsend", args: []string{"send", "1", n}, unit: "send"}
		m, err := r.measure(ctx, b, bins["cgsend"], "now."+n)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	small, large := run("1000"), run("3000")
	if small.out.ops != 1000 || large.out.ops != 3000 || small.out.mallocs != 0 {
		t.Errorf("program output %+v and %+v", small.out, large.out)
	}
	per := small.perUnit("send")
	if per < 10 || per > 1000 {
		t.Errorf("%.1f instructions per send to one no-op receiver: not a plausible count", per)
	}
	if d := (float64(large.total-small.total) / 2000) / per; math.Abs(d-1) > 0.02 {
		t.Errorf("%d instructions for 1000 sends and %d for 3000: not proportional (%.3f)", small.total, large.total, d)
	}
	var sum int64
	for _, v := range small.fns {
		sum += v
	}
	if sum != small.total {
		t.Errorf("the functions' counts add up to %d, the total is %d", sum, small.total)
	}
	if !hasPrefix(small.fns, "github.com/gosignals/signals.") {
		t.Errorf("no instruction counted in package signals: %v", small.fns)
	}
}

func hasPrefix(fns map[string]int64, prefix string) bool {
	for fn, v := range fns {
		if strings.HasPrefix(fn, prefix) && v > 0 {
			return true
		}
	}
	return false
}

// The whole command against HEAD: both sides built, measured and shown.
// It builds GORM and SQLite twice and runs them under valgrind: a long
// test.
func TestInstructionsBase(t *testing.T) {
	requireValgrind(t)
	longtest.Require(t, "builds the harness twice and runs GORM under valgrind")
	cfg, err := parseArgs([]string{"-n", "3", "-sends", "1000", "-run", "gorm/create/plugin|send/send/1$", "-base", "HEAD", "-top", "3", "gorm", "send"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := instructions(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`(?m)^Create +plugin, no receivers +\d[\d ]* +\d[\d ]* +[+-]\d+\.\d% +— +[\d.]+ → [\d.]+$`,
		`(?m)^1 receiver +Send +\d+\.\d +\d+\.\d +[+-]\d+\.\d%`,
		`Base: HEAD; now: the working tree`,
	} {
		if !regexp.MustCompile(re).Match(out.Bytes()) {
			t.Errorf("output lacks %s:\n%s", re, out.String())
		}
	}
	dir, _ := moduledir.Find("")
	if list, _ := exec.Command("git", "-C", dir, "worktree", "list").Output(); strings.Contains(string(list), "signals-instructions-") {
		t.Errorf("a worktree of the base is left:\n%s", list)
	}
}
