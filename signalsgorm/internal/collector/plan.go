package collector

import "github.com/gosignals/signals/modelsignals"

// Step is a relation a deletion meets, as [Layout.Steps] lists them.
type Step struct {
	// Depth is 1 for the relations of the model deleted, 2 for those of
	// the models it cascades to, and so on.
	Depth int
	// Relation names the relation, From the label of the model whose rows
	// are deleted and To that of the model whose rows reference them,
	// Model that model when the plugin knows it.
	Relation, From, To string
	Model              *modelsignals.Model
	// Mode is the relation's on_delete and Source where it was declared.
	Mode   Mode
	Source string
	// Acts is false when the relation does nothing in this deletion.
	Acts bool
	// For an acting Cascade: how the rows of To are read, whether they get
	// signals, and whether To was reached before (the walk stops).
	Load    Load
	Signals bool
	Again   bool
}

// Root returns the model deleted (nil for a table without a model), how
// its rows are read and whether they get signals.
func (l *Layout) Root() (*modelsignals.Model, Load, bool) {
	return l.root.model, l.root.load, l.root.signals
}

// Steps lists the relations pointing at the models the deletion reaches,
// depth first from the model deleted, acting or not.
func (l *Layout) Steps(env *Env, g *Graph) ([]Step, error) {
	var steps []Step
	seen := map[*node]bool{l.root: true}
	var walk func(n *node, depth int) error
	walk = func(n *node, depth int) error {
		edges, err := g.edgesTo(n.s)
		if err != nil {
			return err
		}
		for _, e := range edges {
			st := Step{Depth: depth, Relation: e.name, From: n.label, To: e.child.Table,
				Mode: e.mode, Source: e.source, Acts: l.acts(e)}
			ch := l.nodes[e.child]
			if ch != nil {
				st.To, st.Model = ch.label, ch.model
			} else if m := modelOf(env, e); m != nil {
				st.To, st.Model = m.Label, m
			}
			if !st.Acts || e.mode != Cascade || ch == nil {
				steps = append(steps, st)
				continue
			}
			st.Load, st.Signals, st.Again = ch.load, ch.signals, seen[ch]
			steps = append(steps, st)
			if !st.Again {
				seen[ch] = true
				if err := walk(ch, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return steps, walk(l.root, 1)
}

// modelOf returns the model of e's rows: the join model of a many2many
// relation, else the referencing model.
func modelOf(env *Env, e *edge) *modelsignals.Model {
	if e.join {
		return env.Through(e.rel)
	}
	return env.Model(e.child)
}
