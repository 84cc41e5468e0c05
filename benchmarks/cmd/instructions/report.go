package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gosignals/signals/benchmarks/internal/table"
)

// A result is a bench and what it counted on the current tree and, with
// -base, on the base commit.
type result struct {
	bench
	cur  measurement
	base *measurement
}

// labelHeaders are the headers of each group's label columns.
var labelHeaders = map[string][]string{
	"gorm":    {"operation", "mode"},
	"cascade": {"deleted", "mode"},
	"send":    {"receivers", "implementation"},
}

// render returns the table of each group, under its title, as text or
// Markdown, with the per-function changes after each when -top asks.
func render(cfg config, results []result) string {
	var b strings.Builder
	for _, g := range cfg.groups {
		var rs []result
		for _, res := range results {
			if res.group == g {
				rs = append(rs, res)
			}
		}
		if len(rs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n\n", groupTitle(g, cfg.params))
		if t := groupTable(g, rs); cfg.markdown {
			b.WriteString(t.Markdown())
		} else {
			b.WriteString(t.Text())
		}
		if cfg.top > 0 {
			if c := changesText(rs, cfg.top); c != "" {
				b.WriteString("\n" + c)
			}
		}
	}
	return b.String()
}

// groupTable renders the results of one group. Without a base it shows the
// instructions and allocations per unit and how far each row is above its
// floor; with one, the instructions on both sides and their difference.
func groupTable(group string, rs []result) *table.Table {
	if len(rs) == 0 {
		return nil
	}
	unit := rs[0].unit
	floors := map[string]measurement{}
	withBase := false
	for _, r := range rs {
		floors[r.name] = r.cur
		withBase = withBase || r.base != nil
	}
	h := append([]string(nil), labelHeaders[group]...)
	if withBase {
		h = append(h, "base instr/"+unit, "instr/"+unit, "Δ", "over floor", "allocs/"+unit+", base → now")
	} else {
		h = append(h, "instructions/"+unit, "over floor", "allocs/"+unit)
	}
	t := table.New(2, h...)
	for _, r := range rs {
		cur := r.cur.perUnit(unit)
		over := ""
		if r.floor != "" {
			over = "—"
			if f, ok := floors[r.floor]; ok {
				over = overFloor(cur, f.perUnit(unit))
			}
		}
		row := append([]string(nil), r.labels...)
		switch {
		case !withBase:
			row = append(row, instr(cur), over, allocs(r.cur.allocsPerUnit(unit)))
		case r.base == nil:
			row = append(row, "—", instr(cur), "—", over, "— → "+allocs(r.cur.allocsPerUnit(unit)))
		default:
			b := r.base.perUnit(unit)
			row = append(row, instr(b), instr(cur), percent(cur, b), over,
				allocs(r.base.allocsPerUnit(unit))+" → "+allocs(r.cur.allocsPerUnit(unit)))
		}
		t.Add(row...)
	}
	return t
}

// A change is the difference in one function's exclusive instructions per
// unit between the base and the current tree.
type change struct {
	fn    string
	delta float64
}

// topChanges returns the n functions whose exclusive instructions per unit
// changed most from base to cur, the largest change (either way) first.
func topChanges(base, cur measurement, unit string, n int) []change {
	bu, cu := float64(base.units(unit)), float64(cur.units(unit))
	var cs []change
	for fn, c := range cur.fns {
		if d := float64(c)/cu - float64(base.fns[fn])/bu; d != 0 {
			cs = append(cs, change{fn, d})
		}
	}
	for fn, b := range base.fns {
		if _, ok := cur.fns[fn]; !ok && b != 0 {
			cs = append(cs, change{fn, -float64(b) / bu})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		ai, aj := math.Abs(cs[i].delta), math.Abs(cs[j].delta)
		if ai != aj {
			return ai > aj
		}
		return cs[i].fn < cs[j].fn
	})
	return cs[:min(n, len(cs))]
}

// changesText lists the largest per-function changes of each result that
// has a base.
func changesText(rs []result, n int) string {
	var b strings.Builder
	for _, r := range rs {
		if r.base == nil {
			continue
		}
		cs := topChanges(*r.base, r.cur, r.unit, n)
		if len(cs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s, %s: exclusive instructions per %s, now − base\n", r.labels[0], r.labels[1], r.unit)
		for _, c := range cs {
			fmt.Fprintf(&b, "  %12s  %s\n", signed(c.delta), c.fn)
		}
	}
	return b.String()
}

// instr formats an instruction count: one decimal below 100, else whole,
// with a space between groups of three digits ("142 184").
func instr(v float64) string {
	if math.Abs(v) < 100 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	s := strconv.FormatInt(int64(math.Round(math.Abs(v))), 10)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// signed is instr with a sign.
func signed(v float64) string {
	if v >= 0 {
		return "+" + instr(v)
	}
	return instr(v)
}

// percent formats the change from base to v: "+2.9%".
func percent(v, base float64) string {
	if base == 0 {
		return "—"
	}
	return fmt.Sprintf("%+.1f%%", 100*(v-base)/base)
}

// overFloor formats how far v is above floor: "+3 960 (+2.9%)".
func overFloor(v, floor float64) string {
	return signed(v-floor) + " (" + percent(v, floor) + ")"
}

// allocs formats allocations per unit.
func allocs(v float64) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
