package collector

import (
	"context"
	"reflect"
	"slices"

	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/assoc"
)

// Load says how the collector reads the rows of a model before deleting
// them. Its values are those of signalsgorm.Load.
type Load uint8

// The ways of reading rows.
const (
	LoadNone Load = iota // deleted by condition, never read
	LoadKeys             // only the key columns read
	LoadRows             // read into instances, for the delete signals
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
	groups     [][]*edge           // edges, those combined into one statement grouped
	load       Load
	signals    bool
	cyclic     bool
	restricted bool            // a Restrict relation points at it
	soft       *schema.Field   // the soft-delete field, when rows are soft deleted
	self       []*edge         // cascading edges from the model to itself
	cols       []*schema.Field // key columns: primary key first
	npk        int
}

// Layout is what a deletion of a model reaches, and how each model is
// handled; it does not depend on the rows.
type Layout struct {
	soft  bool
	root  *node
	nodes map[*schema.Schema]*node
	order []*node // discovery order, root first
}

// Options describe a deletion for [NewLayout].
type Options struct {
	// Table is the root's table (the model's own, or another given with
	// db.Table).
	Table string
	// Soft is set for a soft delete, Signals when the statement runs
	// hooks (pre_delete and post_delete may be sent).
	Soft, Signals bool
	// Done lists relations of the root the statement has already handled
	// (db.Select("Books").Delete).
	Done map[*schema.Relationship]bool
}

// NewLayout computes the layout of a deletion of root for the receivers
// connected now (in ctx).
func NewLayout(ctx context.Context, env *Env, g *Graph, root *schema.Schema, o Options) (*Layout, error) {
	b := &builder{ctx: ctx, env: env, g: g, rootS: root, o: o,
		l: &Layout{soft: o.Soft, nodes: map[*schema.Schema]*node{}}}
	r, err := b.visit(root, o.Table)
	if err != nil {
		return nil, err
	}
	b.l.root = r
	b.l.decide()
	return b.l, nil
}

// builder walks the cascades of a deletion to build its Layout.
type builder struct {
	ctx   context.Context
	env   *Env
	g     *Graph
	rootS *schema.Schema
	o     Options
	l     *Layout
}

// visit adds the node of s (in table) and, through its cascades, those it
// reaches.
func (b *builder) visit(s *schema.Schema, table string) (*node, error) {
	if n := b.l.nodes[s]; n != nil {
		return n, nil
	}
	n := b.newNode(s, table)
	if table != s.Table {
		return n, nil // relations are declared for the model's own table
	}
	edges, err := b.g.edgesTo(s)
	if err != nil {
		return nil, err
	}
	for _, e := range edges {
		if !b.l.acts(e) || s == b.rootS && slices.ContainsFunc(e.decl, func(r *schema.Relationship) bool { return b.o.Done[r] }) {
			continue
		}
		n.edges = append(n.edges, e)
		if e.mode != Cascade {
			continue
		}
		if e.self() {
			n.self = append(n.self, e)
		}
		ch, err := b.visit(e.child, e.child.Table)
		if err != nil {
			return nil, err
		}
		if e.join && ch.model == nil {
			// Counted under the join model m2m_changed reports.
			if th := b.env.Through(e.rel); th != nil {
				ch.model, ch.label = th, th.Label
			}
		}
	}
	return n, nil
}

func (b *builder) newNode(s *schema.Schema, table string) *node {
	n := &node{s: s, table: table, label: s.Table}
	if !assoc.Generated(s.ModelType) {
		if n.model = b.env.Model(s); n.model != nil {
			n.label = n.model.Label
		}
		n.signals = b.o.Signals && (modelsignals.PreDelete.Active(b.ctx, s.ModelType) || modelsignals.PostDelete.Active(b.ctx, s.ModelType))
	}
	if b.o.Soft {
		n.soft = SoftField(s)
	}
	b.l.nodes[s] = n
	b.l.order = append(b.l.order, n)
	return n
}

// decide sets how each node's rows are read, once every node is known.
func (l *Layout) decide() {
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
		n.load, n.signals = loadOf(n, n == l.root)
		n.cols, n.npk = keyColumns(n), len(n.s.PrimaryFields)
	}
	for _, n := range l.order {
		n.groups = l.group(n)
	}
}

// group returns the edges of n in order, one per group, except that the
// cascades to a model deleted by condition and reaching nothing further
// are grouped, at the place of the first, by model: their rows are
// deleted with one statement per chunk, the relations joined with OR, as
// Django combines the fast deletes of a model (Collector.collect's
// model_fast_deletes, related_objects; tests/delete/tests.py,
// FastDeleteTests.test_fast_delete_combined_relationships).
func (l *Layout) group(n *node) [][]*edge {
	var groups [][]*edge
	at := map[*node]int{}
	for _, e := range n.edges {
		ch := l.nodes[e.child]
		if e.mode != Cascade || ch == nil || ch == n || ch.load != LoadNone || len(ch.edges) > 0 {
			groups = append(groups, []*edge{e})
			continue
		}
		if i, ok := at[ch]; ok {
			groups[i] = append(groups[i], e)
			continue
		}
		at[ch] = len(groups)
		groups = append(groups, []*edge{e})
	}
	return groups
}

// loadOf returns how the rows of n are read and whether they get signals:
// rows without a key cannot be told apart and are never read; rows with
// delete receivers are read whole; the keys of a model in a cycle, one a
// Restrict relation points at, or the root of a deletion with relations to
// follow (so that its condition is evaluated once) are read.
func loadOf(n *node, root bool) (Load, bool) {
	switch {
	case len(n.s.PrimaryFields) == 0:
		return LoadNone, false
	case n.signals:
		return LoadRows, true
	case n.cyclic || n.restricted || root && len(n.edges) > 0:
		return LoadKeys, false
	}
	return LoadNone, false
}

// Fast reports whether the deletion is GORM's single DELETE statement: no
// receiver applies and no relation acts, so nothing is read.
func (l *Layout) Fast() bool { return l.root.load == LoadNone }

// Label returns the label of the model deleted.
func (l *Layout) Label() string { return l.root.label }

// ReadRoot makes the deletion read the root's rows whole, to scan them
// into the value of a statement with a RETURNING clause.
func (l *Layout) ReadRoot() { l.root.load = LoadRows }

// acts reports whether e does something in this deletion.
func (l *Layout) acts(e *edge) bool {
	switch e.mode {
	case DoNothing:
		return false
	case Cascade:
		// A soft delete keeps the row: it cascades only to models that can
		// be soft deleted too, and keeps link rows.
		return !l.soft || !e.join && SoftField(e.child) != nil
	case SetNull, SetDefault:
		return !l.soft
	}
	return true
}

// reaches reports whether a cascade from n leads back to target.
func (l *Layout) reaches(n, target *node) bool {
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
		if !slices.Contains(cols, f) {
			cols = append(cols, f)
		}
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

// SoftField returns the field that makes deletes of s soft (gorm.DeletedAt
// or another type with DeleteClauses), or nil.
func SoftField(s *schema.Schema) *schema.Field {
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
	return slices.Index(n.cols, f)
}

// Given reports whether the deletion takes the instances of req as the
// root's rows, without reading them, as Django's Model.delete() uses the
// object it is given (django/db/models/base.py, Model.delete: the
// collector collects [self]): req deletes instances (Request.Instances)
// of a hard delete, of a model whose rows are read for their signals and
// in no cycle, which no Restrict relation points at. The rows of a soft
// delete are read: a row soft deleted before is not deleted again, and
// gets no signals.
func (l *Layout) Given(req Request) bool {
	r := l.root
	return req.Instances && len(req.Where) == 0 && len(req.PKs) > 0 && r.load == LoadRows && !l.soft &&
		!r.cyclic && !r.restricted
}

// givenRows returns the rows of the root for the instances user (pointers
// to structs), with the key columns read from them; instances without a
// primary key, which GORM's DELETE leaves out, are left out.
func (l *Layout) givenRows(ctx context.Context, user []reflect.Value) []*row {
	r := l.root
	rows := make([]*row, 0, len(user))
	for _, u := range user {
		vals := make([]any, len(r.cols))
		zero := true
		for i, f := range r.cols {
			var z bool
			vals[i], z = f.ValueOf(ctx, u.Elem())
			if i < r.npk && !z {
				zero = false
			}
		}
		if zero {
			continue
		}
		rows = append(rows, &row{vals: vals, inst: u})
	}
	return rows
}
