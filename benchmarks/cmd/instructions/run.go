package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// callgrindEnv is the environment of the measured runs: no garbage
// collection (its timing would move the counts; allocations are reported
// apart), no asynchronous preemption (signals that callgrind slows down),
// one P.
var callgrindEnv = []string{"GOGC=off", "GODEBUG=asyncpreemptoff=1", "GOMAXPROCS=1"}

// A measurement is what one run of a harness program under callgrind
// counted.
type measurement struct {
	profile
	out output
}

// units returns the number of units (operations, rows or sends) the run's
// figures are divided by.
func (m measurement) units(unit string) int64 {
	if unit == "row" {
		return m.out.rows
	}
	return m.out.ops
}

// perUnit returns the instructions per unit.
func (m measurement) perUnit(unit string) float64 {
	return float64(m.total) / float64(m.units(unit))
}

// allocsPerUnit returns the heap allocations per unit.
func (m measurement) allocsPerUnit(unit string) float64 {
	return float64(m.out.mallocs) / float64(m.units(unit))
}

// runner runs the harness programs under callgrind.
type runner struct {
	valgrind string // the valgrind executable
	dir      string // where the callgrind outputs are written
}

// measure runs bin with b's arguments under callgrind, the output file
// named after b and side, and reads what it counted.
func (r *runner) measure(ctx context.Context, b bench, bin, side string) (measurement, error) {
	file := filepath.Join(r.dir, "callgrind."+strings.ReplaceAll(b.name, "/", "-")+"."+side)
	// Collection starts off: the programs switch it on around their work
	// (package benchmarks/internal/callgrind).
	args := append([]string{"--tool=callgrind", "--collect-atstart=no", "--callgrind-out-file=" + file, bin}, b.args...)
	cmd := exec.CommandContext(ctx, r.valgrind, args...)
	cmd.Env = append(os.Environ(), callgrindEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return measurement{}, fmt.Errorf("%s (%s): valgrind %s: %w\n%s%s", b.name, side,
			strings.Join(args, " "), err, stdout.String(), tail(stderr.String(), 20))
	}
	out, err := parseOutput(stdout.String())
	if err != nil {
		return measurement{}, fmt.Errorf("%s (%s): %w", b.name, side, err)
	}
	f, err := os.Open(file)
	if err != nil {
		return measurement{}, err
	}
	defer f.Close()
	p, err := parseProfile(f)
	if err != nil {
		return measurement{}, fmt.Errorf("%s (%s): %s: %w", b.name, side, file, err)
	}
	if p.total == 0 {
		return measurement{}, fmt.Errorf("%s (%s): callgrind counted no instruction: the programs switch collection on with client requests, which package internal/callgrind implements on amd64 only", b.name, side)
	}
	return measurement{profile: p, out: out}, nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}
