package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/gosignals/signals/benchmarks/internal/table"
)

// sizes are the workload sizes, for the names of the rows.
type sizes struct{ saves, books, comments int }

func workloadName(w string, sz sizes) string {
	k, rest, _ := strings.Cut(w, "/")
	n := strings.TrimPrefix(rest, "r=")
	recv := "receivers"
	if n == "1" {
		recv = "receiver"
	}
	switch k {
	case "send":
		return fmt.Sprintf("send, %s %s", n, recv)
	case "async":
		return fmt.Sprintf("async send, %s %s", n, recv)
	case "save":
		return fmt.Sprintf("save ×%d in 1 transaction", sz.saves)
	case "cascade":
		return fmt.Sprintf("cascade delete 1 → %d → %d", sz.books, sz.books*sz.comments)
	}
	return w
}

func implName(w, impl string) string {
	switch impl {
	case ours:
		switch kind(w) {
		case "send":
			return "signals Signal.Send"
		case "async":
			return "signals Signal.SendAsync"
		}
		return "signalsgorm plugin"
	case "django":
		return "Django"
	case "loop":
		return "plain loop over funcs (floor)"
	case "eventbus":
		return "asaskevich/EventBus Publish"
	case "watermill":
		return "Watermill gochannel Publish"
	case "gorm":
		return "GORM alone, no signals (floor)"
	case "hooks":
		return "GORM hook methods"
	case "dbcascade":
		return "GORM + SQL ON DELETE CASCADE, no signals (floor)"
	}
	return impl
}

// duration formats nanoseconds with three significant digits.
func duration(ns float64) string {
	switch {
	case ns < 0:
		return "—"
	case ns < 1e3:
		return sig3(ns) + " ns"
	case ns < 1e6:
		return sig3(ns/1e3) + " µs"
	case ns < 1e9:
		return sig3(ns/1e6) + " ms"
	}
	return sig3(ns/1e9) + " s"
}

func sig3(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// times formats a ratio: "312×", "4.2×", "0.53×".
func times(r float64) string {
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return "—"
	}
	return sig3(r) + "×"
}

func mib(kib int64) string {
	if kib <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

func count(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.0f", v)
}

// djangoTable shows each workload Django ran next to ours.
func (r *report) djangoTable() *table.Table {
	t := table.New(2, "workload", "target", "Django", "Go (signals)", "Django ÷ Go",
		"queries Django / Go", "signals Django / Go", "peak RSS Django / Go")
	for _, w := range r.workloads {
		d, g := r.get(w, "django"), r.get(w, ours)
		if !d.ok || !g.ok {
			continue
		}
		dq, dqok := d.queries()
		gq, gqok := g.queries()
		ds, dsok := d.signals()
		gs, gsok := g.signals()
		target := "—"
		if tg, ok := djangoTargets[kind(w)]; ok {
			target = fmt.Sprintf("≥ %g×", tg)
		}
		rel := times(ratio(d, g))
		if dsok && gsok && ds != gs {
			rel += " (not comparable: signals differ)"
		}
		t.Add(workloadName(w, r.sz), target, duration(d.ns), duration(g.ns), rel,
			count(dq, dqok)+" / "+count(gq, gqok), count(ds, dsok)+" / "+count(gs, gsok),
			mib(d.rssKiB)+" / "+mib(g.rssKiB))
	}
	return t
}

// goTable shows every Go implementation of each workload, with the ratio
// of its time to ours.
func (r *report) goTable() *table.Table {
	t := table.New(2, "workload", "implementation", "time/op", "÷ signals",
		"B/op", "allocs/op", "queries", "signals", "peak RSS")
	for _, w := range r.workloads {
		g := r.get(w, ours)
		first := true
		for _, impl := range r.impls[w] {
			if impl == "django" {
				continue
			}
			m := r.get(w, impl)
			name := ""
			if first {
				name, first = workloadName(w, r.sz), false
			}
			rel := "—"
			if g.ok {
				rel = times(ratio(m, g))
			}
			b, bok := m.metrics["B/op"]
			a, aok := m.metrics["allocs/op"]
			q, qok := m.queries()
			s, sok := m.signals()
			t.Add(name, implName(w, impl), duration(m.ns), rel, count(b, bok), count(a, aok),
				count(q, qok), count(s, sok), mib(m.rssKiB))
		}
	}
	return t
}
