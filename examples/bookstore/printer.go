package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gosignals/signals"
)

// printTrace writes the steps of tr, one per line, aligned: when each
// started (from the start of the trace), how long it took, what it was and
// how it ended, indented by nesting. Unless verbose, the migration probes
// and the outbox's bookkeeping (see foldOf) are each folded into one line,
// where the first of them ran, with their number and total time; a step
// that failed is never folded.
func printTrace(w io.Writer, tr *signals.Trace, verbose bool) {
	steps := tr.Steps()
	folds := map[string]*folded{}
	if !verbose {
		for _, s := range steps {
			if g := foldOf(s); g != "" {
				f := folds[g]
				if f == nil {
					f = &folded{}
					folds[g] = f
				}
				f.add(s)
			}
		}
	}
	for _, s := range steps {
		if f := folds[foldOf(s)]; f != nil && len(f.steps) > 1 {
			if s.ID == f.steps[0].ID {
				printLine(w, s.Start, f.took, s.Depth, s.Kind, f.summary(foldOf(s)), "ok")
			}
			continue
		}
		printStep(w, s)
	}
}

// printStep writes one step; errors are written in full.
func printStep(w io.Writer, s signals.Step) {
	name := s.Name
	switch s.Kind {
	case signals.StepSend:
		if s.Sender != "" {
			name += " (" + s.Sender + ")"
		}
	case signals.StepReceiver:
		if s.Mode != "" && s.Mode != "inline" {
			name += " [" + s.Mode + "]"
		}
	case signals.StepSQL:
		name = shorten(name, 70)
	}
	if s.Detail != "" && s.Kind != signals.StepSend {
		name += "  " + s.Detail
	}
	outcome := s.Outcome.String()
	if s.Err != "" {
		outcome += ": " + s.Err
	}
	printLine(w, s.Start, s.Duration, s.Depth, s.Kind, name, outcome)
}

func printLine(w io.Writer, start, took time.Duration, depth int, kind, what, outcome string) {
	fmt.Fprintf(w, "  %9s %9s  %s%-9s %s  %s\n", ms(start), ms(took), strings.Repeat("  ", depth), kind, what, outcome)
}

// Folded groups of statements.
const (
	foldProbes = "migration probes"
	foldOutbox = "outbox bookkeeping"
)

var (
	// GORM's migrator asks whether each table (column, index) exists.
	probeSQL = regexp.MustCompile(`(?i)^SELECT count\(\*\) FROM (sqlite_master|information_schema\.)`)
	// The embedded outbox's tables: the events, the leases of its workers,
	// and the events Once has processed.
	outboxTable = regexp.MustCompile(`\bsignals_(outbox_leases|outbox|processed)\b`)
)

// foldOf returns the group a successful step is folded into unless
// verbose: foldProbes, foldOutbox, or "" for none.
func foldOf(s signals.Step) string {
	if s.Kind != signals.StepSQL || s.Outcome != signals.OutcomeOK {
		return ""
	}
	switch {
	case probeSQL.MatchString(s.Name):
		return foldProbes
	case outboxTable.MatchString(s.Name):
		return foldOutbox
	}
	return ""
}

// folded is a group of steps printed as one line.
type folded struct {
	steps  []signals.Step
	took   time.Duration
	tables []string
}

func (f *folded) add(s signals.Step) {
	f.steps = append(f.steps, s)
	f.took += s.Duration
	if t := outboxTable.FindString(s.Name); t != "" && !slices.Contains(f.tables, t) {
		f.tables = append(f.tables, t)
	}
}

func (f *folded) summary(group string) string {
	if group == foldProbes {
		return fmt.Sprintf("%d migration probes: does the table exist? (-v lists them)", len(f.steps))
	}
	tables := slices.Sorted(slices.Values(f.tables))
	return fmt.Sprintf("%d outbox bookkeeping statements on %s (-v lists them)", len(f.steps), strings.Join(tables, ", "))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond))
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}
