package collector

import (
	"slices"

	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// groups returns the collected rows of n in the order their DELETEs run:
// for a model that cascades to itself, deepest rows first, so that no
// statement removes a row another row still references. Rows referencing
// each other in a cycle cannot be ordered: their nullable keys are set to
// NULL before the deletes, as Django's Collector does for cycles through
// nullable keys.
func (c *Collector) groups(n *node) [][]*row {
	rows := c.sets[n].rows
	if len(rows) == 0 {
		return nil
	}
	if len(n.self) == 0 {
		return [][]*row{rows}
	}
	depth, cyclic := c.levels(n, rows)
	if cyclic && !c.l.soft {
		for _, e := range n.self {
			if e.nullable() {
				for _, chunk := range chunks(rows, chunkSize(c.limit, n.npk)) {
					c.updates = append(c.updates, update{e: e, cond: c.pkCond(n, chunk), null: true})
				}
			}
		}
	}
	var out [][]*row
	for d := depth; d >= 0; d-- {
		var g []*row
		for _, r := range rows {
			if r.level == d {
				g = append(g, r)
			}
		}
		if len(g) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// levels sets each row's level to the length of the longest chain of
// collected rows it references through n's cascades to itself, and returns
// the largest; a cycle in the data is cut where it is met, and reported.
func (c *Collector) levels(n *node, rows []*row) (top int, cyclic bool) {
	type link struct{ fk, ref []int }
	links := make([]link, len(n.self))
	index := make([]map[key.Key]*row, len(n.self))
	for i, e := range n.self {
		for _, f := range e.fks {
			links[i].fk = append(links[i].fk, n.index(f))
		}
		for _, f := range e.refs {
			links[i].ref = append(links[i].ref, n.index(f))
		}
		index[i] = make(map[key.Key]*row, len(rows))
		for _, r := range rows {
			index[i][key.New(pick(r.vals, links[i].ref))] = r
		}
	}
	const unset, visiting = -1, -2
	for _, r := range rows {
		r.level = unset
	}
	var level func(r *row) int
	level = func(r *row) int {
		switch r.level {
		case visiting:
			cyclic = true
			return -1 // this link adds nothing
		case unset:
		default:
			return r.level
		}
		r.level = visiting
		l := 0
		for i := range links {
			if p := index[i][key.New(pick(r.vals, links[i].fk))]; p != nil && p != r {
				l = max(l, level(p)+1)
			}
		}
		r.level = l
		return l
	}
	for _, r := range rows {
		top = max(top, level(r))
	}
	return top, cyclic
}

func pick(vals []any, idx []int) []any {
	out := make([]any, len(idx))
	for i, j := range idx {
		out[i] = vals[j]
	}
	return out
}

// sorted orders the collected models like Django's Collector.sort: a model
// comes after the models whose rows must be deleted first. When a cycle
// prevents an order, the dependencies through nullable foreign keys are
// dropped and those keys set to NULL before the deletes; if a cycle
// remains, the collection order is kept.
func (c *Collector) sorted() []*node {
	if order, ok := topo(c.seen, c.deps, nil); ok {
		c.acyclic = true
		return order
	}
	if c.l.soft {
		return c.seen // a soft delete removes no row: any order is valid
	}
	dropped := func(e *edge) bool { return e.mode == Cascade && e.nullable() }
	order, ok := topo(c.seen, c.deps, dropped)
	if !ok {
		return c.seen
	}
	for _, n := range c.seen {
		for ch, es := range c.deps[n] {
			for _, e := range es {
				if dropped(e) && len(c.sets[ch].rows) > 0 {
					for _, chunk := range chunks(c.sets[ch].rows, chunkSize(c.limit, ch.npk)) {
						c.updates = append(c.updates, update{e: e, cond: c.pkCond(ch, chunk), null: true})
					}
				}
			}
		}
	}
	return order
}

// topo is Django's sort: repeated passes in collection order, each taking
// the models whose dependencies are placed; it fails on a cycle. Edges for
// which skip reports true are ignored (a dependency through several
// relations stays unless all are skipped).
func topo(models []*node, deps map[*node]map[*node][]*edge, skip func(*edge) bool) ([]*node, bool) {
	in := make(map[*node]bool, len(models))
	for _, m := range models {
		in[m] = true
	}
	placed := make(map[*node]bool, len(models))
	out := make([]*node, 0, len(models))
	for len(out) < len(models) {
		progress := false
		for _, m := range models {
			if placed[m] || !ready(deps[m], in, placed, skip) {
				continue
			}
			out = append(out, m)
			placed[m] = true
			progress = true
		}
		if !progress {
			return models, false
		}
	}
	return out, true
}

func ready(deps map[*node][]*edge, in, placed map[*node]bool, skip func(*edge) bool) bool {
	for d, es := range deps {
		if !in[d] || placed[d] {
			continue
		}
		if skip != nil && !slices.ContainsFunc(es, func(e *edge) bool { return !skip(e) }) {
			continue // every relation behind this dependency is dropped
		}
		return false
	}
	return true
}
