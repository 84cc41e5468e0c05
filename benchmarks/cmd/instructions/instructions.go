package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gosignals/signals/benchmarks/internal/moduledir"
)

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "instructions: "+format+"\n", args...)
}

// instructions builds the harness programs (and, with -base, those of the
// base commit), runs the selected benches and writes the tables to w.
func instructions(ctx context.Context, cfg config, w io.Writer) error {
	valgrind, err := lookValgrind(cfg.valgrind)
	if err != nil {
		return err
	}
	moduleDir, err := moduledir.Find(cfg.dir)
	if err != nil {
		return err
	}
	bs, progs, err := selectBenches(cfg)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "signals-instructions-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cur, base, cleanup, err := buildSides(ctx, cfg, moduleDir, tmp, progs)
	if err != nil {
		return err
	}
	defer cleanup()

	r := &runner{valgrind: valgrind, dir: filepath.Join(tmp, "out")}
	if cfg.keep != "" {
		r.dir = cfg.keep
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	results, err := measureAll(ctx, r, bs, cur, base, cfg.count)
	if err != nil {
		return err
	}
	fmt.Fprint(w, describe(ctx, cfg, moduleDir, base != nil, valgrind))
	fmt.Fprint(w, render(cfg, results))
	if cfg.keep != "" {
		logf("callgrind outputs kept in %s (callgrind_annotate FILE)", cfg.keep)
	}
	return nil
}

// selectBenches returns the benches of the subcommands that -run selects,
// and the programs they run.
func selectBenches(cfg config) ([]bench, []string, error) {
	var bs []bench
	var progs []string
	for _, g := range cfg.groups {
		for _, b := range benches(g, cfg.params) {
			if !cfg.run.MatchString(b.name) {
				continue
			}
			bs = append(bs, b)
			if !slices.Contains(progs, b.prog) {
				progs = append(progs, b.prog)
			}
		}
	}
	if len(bs) == 0 {
		return nil, nil, fmt.Errorf("-run %q matches none of the rows of %s", cfg.run, strings.Join(cfg.groups, ", "))
	}
	return bs, progs, nil
}

// buildSides builds the programs of the current tree and, with -base,
// those of the base commit's worktree, which cleanup removes.
func buildSides(ctx context.Context, cfg config, moduleDir, tmp string, progs []string) (cur, base map[string]string, cleanup func(), err error) {
	cleanup = func() {}
	for _, d := range []string{"now", "base"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			return nil, nil, cleanup, err
		}
	}
	logf("building %s from %s", strings.Join(progs, ", "), moduleDir)
	if cur, err = build(ctx, moduleDir, filepath.Join(tmp, "now"), progs, os.Environ()); err != nil {
		return nil, nil, cleanup, err
	}
	if cfg.base == "" {
		return cur, nil, cleanup, nil
	}
	co, err := checkoutBase(ctx, moduleDir, cfg.base, filepath.Join(tmp, "worktree"))
	if err != nil {
		return nil, nil, cleanup, err
	}
	logf("building %s at %s (%.12s) in %s", strings.Join(progs, ", "), cfg.base, co.commit, co.dir)
	if base, err = build(ctx, co.moduleDir, filepath.Join(tmp, "base"), progs, baseEnv()); err != nil {
		co.remove()
		return nil, nil, cleanup, fmt.Errorf("-base %s: %w", cfg.base, err)
	}
	return cur, base, co.remove, nil
}

// measureAll runs every bench count times, the base side (if any) just
// before the current one each time, and keeps the median run of each side.
func measureAll(ctx context.Context, r *runner, bs []bench, cur, base map[string]string, count int) ([]result, error) {
	var out []result
	for i, b := range bs {
		var bases, nows []measurement
		for c := 1; c <= count; c++ {
			run := ""
			if count > 1 {
				run = fmt.Sprintf(", run %d/%d", c, count)
			}
			if base != nil {
				logf("[%d/%d] %s, base%s", i+1, len(bs), b.name, run)
				m, err := r.measure(ctx, b, base[b.prog], side("base", c, count))
				if err != nil {
					return nil, err
				}
				bases = append(bases, m)
			}
			logf("[%d/%d] %s%s", i+1, len(bs), b.name, run)
			m, err := r.measure(ctx, b, cur[b.prog], side("now", c, count))
			if err != nil {
				return nil, err
			}
			nows = append(nows, m)
		}
		res := result{bench: b, cur: median(nows)}
		if base != nil {
			m := median(bases)
			res.base = &m
		}
		out = append(out, res)
	}
	return out, nil
}

// side names a run's callgrind output file: "now", or "now.2" when each
// side runs more than once.
func side(name string, c, count int) string {
	if count == 1 {
		return name
	}
	return fmt.Sprintf("%s.%d", name, c)
}

// median returns the run with the median instruction count (the lower of
// the middle two for an even number), so that its functions' counts are
// those of one real run.
func median(ms []measurement) measurement {
	s := slices.Clone(ms)
	slices.SortFunc(s, func(a, b measurement) int { return cmp.Compare(a.total, b.total) })
	return s[(len(s)-1)/2]
}

// describe says what was measured, how, and on which commits.
func describe(ctx context.Context, cfg config, moduleDir string, withBase bool, valgrind string) string {
	version := func(name string, args ...string) string {
		out, err := exec.CommandContext(ctx, name, args...).Output()
		if err != nil {
			return name + " ?"
		}
		return strings.TrimSpace(string(out))
	}
	now := "the working tree"
	if head, err := gitOut(ctx, moduleDir, "rev-parse", "--short=12", "HEAD"); err == nil {
		now += " at " + head
		if st, err := gitOut(ctx, moduleDir, "status", "--porcelain"); err == nil && st != "" {
			now += " with uncommitted changes"
		}
	}
	s := fmt.Sprintf("Instructions (Ir) counted by callgrind in the measured work of the harness programs only, "+
		"%s, %s, CGO_ENABLED=0 %s; allocations from runtime.MemStats around the same work.\n",
		version(valgrind, "--version"), version("go", "env", "GOVERSION"), strings.Join(callgrindEnv, " "))
	if withBase {
		s += fmt.Sprintf("Base: %s; now: %s.\n", cfg.base, now)
	} else {
		s += fmt.Sprintf("Measured: %s.\n", now)
	}
	return s
}
