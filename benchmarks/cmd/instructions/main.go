// Command instructions counts the instructions the signals library and its
// GORM plugin execute per operation, under valgrind's callgrind: figures
// that, unlike times, do not move with the machine's load, so that a
// change's cost shows as a difference between two runs of the same binary
// workload. From the benchmarks module:
//
//	go run ./cmd/instructions [flags] gorm|cascade|send|all ...
//
// (make instructions at the repository's root runs all). The workloads are
// the harness programs cmd/cggorm and cmd/cgsend, built with CGO_ENABLED=0
// and run with GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1, callgrind
// counting only their measured work, which they mark with client requests
// (package internal/callgrind, amd64):
//
//	gorm     GORM Create, Save and Delete of one row: plain GORM, the plugin
//	         without receivers, the plugin with no-op pre/post receivers,
//	         GORM hook methods (-n operations per run)
//	cascade  deleting 1 author with B books of 5 comments each: SQLite's ON
//	         DELETE CASCADE (the floor), the plugin's fast path, the plugin
//	         with per-object receivers (-books B,...)
//	send     one event to k no-op receivers: a plain loop over funcs (the
//	         floor), Send, Send with a sender filter, SendRobust,
//	         asaskevich/EventBus (-receivers k,...)
//
// Beside the instructions per operation (per row for the cascade) it shows
// the heap allocations per operation the measured work made, which the
// programs read from runtime.MemStats as go test -benchmem does. The counts
// repeat within about 0.2% from run to run (Go randomizes its hash seeds);
// -count N runs every row N times and shows the median run.
//
// With -base REF it also builds the same programs against another commit:
// it adds a git worktree of REF in a temporary directory, copies the
// current tree's harness programs into it (so that REF needs only the
// public API they use, not the programs themselves), builds them within
// that worktree's own workspace, runs both sides of every row one after the
// other and prints both figures and the change. -top N then lists, for
// each row, the N functions whose own instructions per operation changed
// most.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type config struct {
	dir, base, keep, valgrind string
	run                       *regexp.Regexp
	top, count                int
	markdown                  bool
	params
	groups []string
}

func main() {
	cfg, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "instructions:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := instructions(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "instructions:", err)
		os.Exit(1)
	}
}

const usage = `usage: instructions [flags] gorm|cascade|send|all ...

Counts instructions per operation under callgrind (valgrind), with the heap
allocations per operation beside them; -base REF compares with another commit.

`

// parseArgs reads the flags and the subcommands, in any order.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("instructions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	fs.StringVar(&cfg.dir, "dir", "", "directory of the benchmarks module (default: found from the working directory)")
	fs.StringVar(&cfg.base, "base", "", "git commit or ref to compare with, built from a temporary worktree")
	fs.StringVar(&cfg.keep, "keep", "", "directory to keep the callgrind output files in (for callgrind_annotate)")
	fs.StringVar(&cfg.valgrind, "valgrind", "valgrind", "the valgrind executable")
	run := fs.String("run", "", "only the rows whose name matches this regular expression (gorm/create/plugin, cascade/2000/receivers, send/sender/10)")
	fs.IntVar(&cfg.top, "top", 0, "with -base, list the `N` functions whose instructions per operation changed most, for each row")
	fs.IntVar(&cfg.count, "count", 1, "runs of each row and side; the median run is shown (the counts vary by about 0.2% between runs)")
	fs.BoolVar(&cfg.markdown, "markdown", false, "print Markdown tables")
	fs.IntVar(&cfg.ops, "n", 1000, "gorm: operations per run")
	books := fs.String("books", "166,2000", "cascade: books of the deleted author (5 comments each), one run per `list` item")
	fs.IntVar(&cfg.sends, "sends", 100000, "send: sends per run up to 10 receivers")
	receivers := fs.String("receivers", "0,1,10,100", "send: receivers, one run per `list` item")
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, err
		}
		if fs.NArg() == 0 {
			break
		}
		cfg.groups = append(cfg.groups, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return cfg, cfg.check(*run, *books, *receivers)
}

// check validates cfg and fills in the parsed lists.
func (cfg *config) check(run, books, receivers string) error {
	var err error
	if cfg.groups, err = subcommands(cfg.groups); err != nil {
		return err
	}
	if cfg.run, err = regexp.Compile(run); err != nil {
		return fmt.Errorf("-run: %w", err)
	}
	if cfg.books, err = intList("-books", books, 1); err != nil {
		return err
	}
	if cfg.receivers, err = intList("-receivers", receivers, 0); err != nil {
		return err
	}
	if cfg.ops < 1 || cfg.sends < 1 || cfg.count < 1 || cfg.top < 0 {
		return fmt.Errorf("-n, -sends and -count must be ≥ 1, -top ≥ 0")
	}
	return nil
}

// subcommands returns the groups named by args, in the order of groups,
// each once; "all" names every group.
func subcommands(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("no subcommand: want gorm, cascade, send or all")
	}
	want := map[string]bool{}
	for _, a := range args {
		switch {
		case a == "all":
			for _, g := range groups {
				want[g] = true
			}
		case slices.Contains(groups, a):
			want[a] = true
		default:
			return nil, fmt.Errorf("unknown subcommand %q: want gorm, cascade, send or all", a)
		}
	}
	var out []string
	for _, g := range groups {
		if want[g] {
			out = append(out, g)
		}
	}
	return out, nil
}

// intList parses a comma-separated list of integers ≥ least.
func intList(name, s string, least int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < least {
			return nil, fmt.Errorf("%s: %q is not a comma-separated list of integers ≥ %d", name, s, least)
		}
		out = append(out, n)
	}
	return out, nil
}

// lookValgrind checks that valgrind can be run.
func lookValgrind(path string) (string, error) {
	p, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("%s not found: install valgrind (apt-get install valgrind) or pass -valgrind", path)
	}
	return p, nil
}
