package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gosignals/signals"
)

// printTrace writes the steps of tr, one per line, aligned: when each
// started (from the start of the step), how long it took, what it was and
// how it ended, indented by nesting.
func printTrace(w io.Writer, tr *signals.Trace) {
	for _, s := range tr.Steps() {
		name := s.Name
		switch s.Kind {
		case signals.StepSend:
			name = s.Name
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
			outcome += ": " + shorten(s.Err, 80)
		}
		fmt.Fprintf(w, "  %9s %9s  %s%-9s %s  %s\n", ms(s.Start), ms(s.Duration),
			strings.Repeat("  ", s.Depth), s.Kind, name, outcome)
	}
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
