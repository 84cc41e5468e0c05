package main

import (
	"fmt"
	"sort"
	"strings"
)

// ours is the implementation under test; floors are the baselines that are
// not libraries (nothing to beat, they show what is left to gain).
const ours = "gosignals"

var floors = map[string]bool{"loop": true, "gorm": true, "dbcascade": true}

// targets of the issue: how many times faster than Django, per workload
// kind.
var djangoTargets = map[string]float64{"send": 80, "save": 3, "cascade": 5}

// peerTarget is how many times faster than the fastest Go peer the
// dispatcher must be.
const peerTarget = 2

// A measured value: a series summarized (see summarize): its median time
// and the metrics of its median round, the figure of each round, and the
// series' peak RSS.
type measured struct {
	sample
	rounds map[int]float64 // round → that round's time per operation
	rssKiB int64
	ok     bool
}

// signals returns the number of model signals the sample counted.
func (m measured) signals() (float64, bool) {
	var n float64
	found := false
	for name, v := range m.metrics {
		if strings.HasSuffix(name, "_save/op") || strings.HasSuffix(name, "_delete/op") {
			n += v
			found = true
		}
	}
	return n, found
}

func (m measured) queries() (float64, bool) {
	v, ok := m.metrics["queries/op"]
	return v, ok
}

// A check is one target and how the run fared against it.
type check struct {
	workload string
	what     string // "80× Django"
	ratio    float64
	target   float64
	met      bool
	verdict  string // "met (312×)", "missed: ..."
	why      string // for the closing note, when missed
}

// report is everything the tables show.
type report struct {
	sz        sizes
	workloads []string // in display order
	impls     map[string][]string
	m         map[key]measured
	checks    []check
}

// buildReport summarizes each series and evaluates the targets.
func buildReport(c *collector, sz sizes) *report {
	r := &report{sz: sz, impls: map[string][]string{}, m: map[key]measured{}}
	for k, se := range c.series {
		r.m[k] = summarize(se)
		if _, seen := r.impls[k.workload]; !seen {
			r.workloads = append(r.workloads, k.workload)
		}
		r.impls[k.workload] = append(r.impls[k.workload], k.impl)
	}
	sort.Slice(r.workloads, func(i, j int) bool { return workloadLess(r.workloads[i], r.workloads[j]) })
	for _, w := range r.workloads {
		sort.Slice(r.impls[w], func(i, j int) bool { return implRank(r.impls[w][i]) < implRank(r.impls[w][j]) })
		r.evaluate(w)
	}
	return r
}

var kindOrder = map[string]int{"send": 0, "async": 1, "save": 2, "cascade": 3}

func workloadLess(a, b string) bool {
	ka, kb := kind(a), kind(b)
	if kindOrder[ka] != kindOrder[kb] {
		return kindOrder[ka] < kindOrder[kb]
	}
	return len(a) < len(b) || len(a) == len(b) && a < b // r=1 before r=10
}

var implOrder = []string{"django", "loop", "gorm", "dbcascade", ours, "hooks", "eventbus", "watermill"}

func implRank(impl string) int {
	for i, s := range implOrder {
		if s == impl {
			return i
		}
	}
	return len(implOrder)
}

// kind returns the workload's kind: "send/r=1" → "send".
func kind(workload string) string {
	k, _, _ := strings.Cut(workload, "/")
	return k
}

func (r *report) get(workload, impl string) measured { return r.m[key{workload, impl}] }

// evaluate adds the checks of workload w.
func (r *report) evaluate(w string) {
	g := r.get(w, ours)
	if !g.ok {
		return
	}
	if t, ok := djangoTargets[kind(w)]; ok {
		if d := r.get(w, "django"); d.ok {
			r.checks = append(r.checks, r.djangoCheck(w, d, g, t)...)
		}
	}
	if kind(w) == "send" || kind(w) == "async" {
		var best measured
		var bestImpl string
		for _, impl := range r.impls[w] {
			p := r.get(w, impl)
			if impl == ours || impl == "django" || floors[impl] {
				continue
			}
			if bestImpl == "" || p.ns < best.ns {
				best, bestImpl = p, impl
			}
		}
		if bestImpl != "" {
			c := newCheck(w, fmt.Sprintf("%d× the fastest Go peer (%s)", peerTarget, implName(w, bestImpl)), ratio(best, g), peerTarget)
			if !c.met {
				c.why = fmt.Sprintf("%s takes %s per send, %s %s.", implName(w, bestImpl), duration(best.ns), implName(w, ours), duration(g.ns))
				if f := r.get(w, "loop"); f.ok {
					c.why += fmt.Sprintf(" A plain loop over func values takes %s: what is left above it is the dispatcher's own cost.", duration(f.ns))
				}
			}
			r.checks = append(r.checks, c)
		}
	}
}

func (r *report) djangoCheck(w string, d, g measured, t float64) []check {
	ds, dok := d.signals()
	gs, gok := g.signals()
	if dok && gok && ds != gs {
		return []check{{workload: w, what: fmt.Sprintf("%g× Django", t), target: t,
			verdict: fmt.Sprintf("not comparable: Go sent %.0f signals, Django %.0f", gs, ds),
			why: fmt.Sprintf("the Go side sent %.0f model signals where Django sent %.0f, so it did not do the same work; "+
				"for the cascade, the plugin's deletion collector (per-object pre_delete/post_delete along constraint:OnDelete:CASCADE relations) is missing from this build, and the database cascaded silently.", gs, ds)}}
	}
	c := newCheck(w, fmt.Sprintf("%g× Django", t), ratio(d, g), t)
	if !c.met {
		c.why = r.whySlower(w, d, g)
	}
	out := []check{c}
	dq, dok := d.queries()
	gq, gok := g.queries()
	if kind(w) == "cascade" && dok && gok {
		q := check{workload: w, what: "no more queries than Django", ratio: dq / gq, target: 1, met: gq <= dq}
		q.verdict = fmt.Sprintf("%s (%.0f vs %.0f)", map[bool]string{true: "met", false: "missed"}[q.met], gq, dq)
		if !q.met {
			q.why = fmt.Sprintf("the Go side sent %.0f statements, Django %.0f.", gq, dq)
		}
		out = append(out, q)
	}
	return out
}

// whySlower explains a missed Django target from the floor of the workload.
func (r *report) whySlower(w string, d, g measured) string {
	var floor string
	for _, impl := range r.impls[w] {
		if floors[impl] {
			floor = impl
		}
	}
	target := djangoTargets[kind(w)]
	need := fmt.Sprintf("Reaching %g× would take %s or less on the Go side.", target, duration(d.ns/target))
	f := r.get(w, floor)
	if !f.ok {
		return fmt.Sprintf("Django takes %s, %s %s. %s", duration(d.ns), implName(w, ours), duration(g.ns), need)
	}
	extra := g.ns - f.ns
	s := fmt.Sprintf("%s takes %s, %s %s, Django %s. %s ", implName(w, floor), duration(f.ns), implName(w, ours), duration(g.ns), duration(d.ns), need)
	if df := ratio(d, f); df < target {
		s += fmt.Sprintf("Even signals that cost nothing would leave Go only %s faster than Django here: "+
			"the work around the signals, not the signals, sets the ratio. ", times(df))
	}
	if extra > 0 {
		s += fmt.Sprintf("The signals add %s over the floor (%.0f%% of the Go time).", duration(extra), 100*extra/g.ns)
	} else {
		s += "The floor measured no faster than with the signals: their cost is below this run's noise."
	}
	return s
}

func newCheck(w, what string, ratio, target float64) check {
	c := check{workload: w, what: what, ratio: ratio, target: target, met: ratio >= target}
	if c.met {
		c.verdict = fmt.Sprintf("met (%s)", times(ratio))
	} else {
		c.verdict = fmt.Sprintf("missed: %s, %.0f%% short of %g×", times(ratio), 100*(1-ratio/target), target)
	}
	return c
}
