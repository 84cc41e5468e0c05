package signalsgorm

import (
	"context"
	"reflect"
	"slices"

	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
)

// Load says how the collector reads the rows of a model before deleting
// them.
type Load uint8

const (
	// LoadNone: the rows are deleted by condition (one statement per
	// relation and chunk), never read.
	LoadNone Load = iota
	// LoadKeys: only the key columns are read, because the model is part
	// of a cycle, is restricted by another relation, or is the root of a
	// delete with relations to follow (so that its condition is evaluated
	// once; a hard delete of instances reads nothing, their keys given).
	LoadKeys
	// LoadRows: the rows are read into instances, because pre_delete or
	// post_delete receivers apply to the model.
	LoadRows
)

var loadNames = [...]string{"one statement per relation, rows not read", "keys read", "rows read, signals sent"}

// String describes the mode ("keys read").
func (l Load) String() string {
	if int(l) < len(loadNames) {
		return loadNames[l]
	}
	return "Load(?)"
}

// node is a model a deletion reaches.
type node struct {
	s          *schema.Schema
	table      string
	label      string
	model      *modelsignals.Model // nil for GORM's join tables
	edges      []*edge             // the edges that act on deletion, in order
	load       Load
	signals    bool
	cyclic     bool
	restricted bool            // a Restrict relation points at it
	soft       *schema.Field   // the soft-delete field, when rows are soft deleted
	self       []*edge         // cascading edges from the model to itself
	cols       []*schema.Field // key columns: primary key first
	npk        int
}

// layout is what a deletion of a model reaches, and how each model is
// handled; it does not depend on the rows.
type layout struct {
	soft  bool
	root  *node
	nodes map[*schema.Schema]*node
	order []*node // discovery order, root first
}

// layout computes the layout of a deletion of root (in table) for the
// receivers connected now; soft is set for a soft delete, signals is false
// when the statement skips hooks, and done lists relations of root the
// statement has already handled.
func (p *Plugin) layout(ctx context.Context, root *schema.Schema, table string, soft, signals bool, done map[*schema.Relationship]bool) (*layout, error) {
	l := &layout{soft: soft, nodes: map[*schema.Schema]*node{}}
	var visit func(s *schema.Schema, table string) (*node, error)
	visit = func(s *schema.Schema, table string) (*node, error) {
		if n := l.nodes[s]; n != nil {
			return n, nil
		}
		n := &node{s: s, table: table, label: s.Table}
		if !generated(s.ModelType) {
			if n.model = p.model(s); n.model != nil {
				n.label = n.model.Label
			}
			n.signals = signals && (modelsignals.PreDelete.Active(ctx, s.ModelType) || modelsignals.PostDelete.Active(ctx, s.ModelType))
		}
		if soft {
			n.soft = softField(s)
		}
		l.nodes[s] = n
		l.order = append(l.order, n)
		if table != s.Table {
			return n, nil // relations are declared for the model's own table
		}
		edges, err := p.graph.edgesTo(s)
		if err != nil {
			return nil, err
		}
		for _, e := range edges {
			if !l.acts(e) || s == root && slices.ContainsFunc(e.decl, func(r *schema.Relationship) bool { return done[r] }) {
				continue
			}
			n.edges = append(n.edges, e)
			if e.mode != Cascade {
				continue
			}
			if e.self() {
				n.self = append(n.self, e)
			}
			ch, err := visit(e.child, e.child.Table)
			if err != nil {
				return nil, err
			}
			if e.join && ch.model == nil {
				// Counted under the join model m2m_changed reports.
				if th := p.m2m(e.rel).through; th != nil {
					ch.model, ch.label = th, th.Label
				}
			}
		}
		return n, nil
	}
	var err error
	if l.root, err = visit(root, table); err != nil {
		return nil, err
	}
	restricted := map[*node]bool{}
	for _, n := range l.order {
		for _, e := range n.edges {
			if e.mode == Restrict && l.nodes[e.child] != nil {
				restricted[l.nodes[e.child]] = true
			}
		}
	}
	for _, n := range l.order {
		n.cyclic = len(n.self) > 0 || l.reaches(n, n)
		n.restricted = restricted[n]
		switch {
		case len(n.s.PrimaryFields) == 0:
			n.load, n.signals = LoadNone, false // rows without a key cannot be told apart
		case n.signals:
			n.load = LoadRows
		case n.cyclic || restricted[n] || n == l.root && len(n.edges) > 0:
			n.load = LoadKeys
		}
		n.cols, n.npk = keyColumns(n), len(n.s.PrimaryFields)
	}
	return l, nil
}

// acts reports whether e does something in this deletion.
func (l *layout) acts(e *edge) bool {
	switch e.mode {
	case DoNothing:
		return false
	case Cascade:
		// A soft delete keeps the row: it cascades only to models that can
		// be soft deleted too, and keeps link rows.
		return !l.soft || !e.join && softField(e.child) != nil
	case SetNull, SetDefault:
		return !l.soft
	}
	return true
}

// reaches reports whether a cascade from n leads back to target.
func (l *layout) reaches(n, target *node) bool {
	seen := map[*node]bool{}
	var walk func(n *node) bool
	walk = func(n *node) bool {
		for _, e := range n.edges {
			if e.mode != Cascade {
				continue
			}
			c := l.nodes[e.child]
			if c == target {
				return true
			}
			if !seen[c] {
				seen[c] = true
				if walk(c) {
					return true
				}
			}
		}
		return false
	}
	return walk(n)
}

// keyColumns lists the columns read for a model's rows: its primary key,
// the columns its relations reference, and the foreign keys of cascades to
// itself (to delete a tree leaves first).
func keyColumns(n *node) []*schema.Field {
	cols := append([]*schema.Field(nil), n.s.PrimaryFields...)
	add := func(f *schema.Field) {
		for _, c := range cols {
			if c == f {
				return
			}
		}
		cols = append(cols, f)
	}
	for _, e := range n.edges {
		for _, f := range e.refs {
			add(f)
		}
	}
	for _, e := range n.self {
		for _, f := range e.fks {
			add(f)
		}
	}
	return cols
}

// softField returns the field that makes deletes of s soft (gorm.DeletedAt
// or another type with DeleteClauses), or nil.
func softField(s *schema.Schema) *schema.Field {
	if len(s.DeleteClauses) == 0 {
		return nil
	}
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue
		}
		if _, ok := reflect.New(f.IndirectFieldType).Interface().(schema.DeleteClausesInterface); ok {
			return f
		}
	}
	return nil
}

func (n *node) index(f *schema.Field) int {
	for i, c := range n.cols {
		if c == f {
			return i
		}
	}
	return -1
}
