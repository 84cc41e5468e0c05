package signalsgorm

import (
	"context"
	"fmt"
	"strings"

	"github.com/gosignals/signals/modelsignals"
)

// DeletePlan describes what deleting rows of a model does, with the
// receivers connected when it was made, without running anything: the
// models the deletion reaches, the on_delete mode of each relation, how
// rows are read, and whether the fast path applies.
type DeletePlan struct {
	// Model is the label of the model deleted.
	Model string
	// Soft is set when the plan is a soft delete (the model has a
	// gorm.DeletedAt field and the delete is not Unscoped).
	Soft bool
	// Load says how the model's rows are read; Signals whether
	// pre_delete and post_delete are sent for them.
	Load    Load
	Signals bool
	// Fast is set when the deletion is GORM's single DELETE statement: no
	// receiver applies and no relation acts, so nothing is read.
	Fast bool
	// Steps are the relations pointing at the models reached, depth first
	// from Model.
	Steps []PlanStep
}

// PlanStep is a relation in a [DeletePlan].
type PlanStep struct {
	// Depth is 1 for the relations of the model deleted, 2 for those of
	// the models it cascades to, and so on.
	Depth int
	// Relation names the relation ("Book.Author"), From the model whose
	// rows are deleted and To the model whose rows reference them (a join
	// table's name for many2many links).
	Relation, From, To string
	// OnDelete is the mode, and Source where it was declared: "rule",
	// "tag", "constraint", "many2many" or "default".
	OnDelete OnDelete
	Source   string
	// Acts is false when the relation does nothing in this deletion:
	// DoNothing, or a soft delete that keeps the rows it would change.
	Acts bool
	// For an acting Cascade: how the rows of To are read, whether they
	// get signals, and whether To was reached before (the walk stops).
	Load    Load
	Signals bool
	Again   bool
}

// DeletePlan describes db.Delete of model (a pointer to a model struct):
// a soft delete when the model has a gorm.DeletedAt field.
func (p *Plugin) DeletePlan(model any) (DeletePlan, error) {
	return p.plan(model, false)
}

// UnscopedDeletePlan describes db.Unscoped().Delete of model: always a
// hard delete.
func (p *Plugin) UnscopedDeletePlan(model any) (DeletePlan, error) {
	return p.plan(model, true)
}

func (p *Plugin) plan(model any, unscoped bool) (DeletePlan, error) {
	if p.db == nil {
		return DeletePlan{}, errNotInstalled
	}
	s, err := parse(p.db, model)
	if err != nil {
		return DeletePlan{}, err
	}
	soft := softField(s) != nil && !unscoped
	l, err := p.layout(context.Background(), s, s.Table, soft, true, nil)
	if err != nil {
		return DeletePlan{}, err
	}
	r := l.root
	dp := DeletePlan{Model: r.label, Soft: soft, Load: r.load, Signals: r.signals, Fast: r.load == LoadNone}
	seen := map[*node]bool{r: true}
	var walk func(n *node, depth int) error
	walk = func(n *node, depth int) error {
		edges, err := p.graph.edgesTo(n.s)
		if err != nil {
			return err
		}
		for _, e := range edges {
			st := PlanStep{Depth: depth, Relation: e.name, From: n.label, To: e.child.Table,
				OnDelete: e.mode, Source: e.source, Acts: l.acts(e)}
			ch := l.nodes[e.child]
			if ch != nil {
				st.To = ch.label
			} else if m := p.labelOf(e); m != "" {
				st.To = m
			}
			if !st.Acts || e.mode != Cascade || ch == nil {
				dp.Steps = append(dp.Steps, st)
				continue
			}
			st.Load, st.Signals, st.Again = ch.load, ch.signals, seen[ch]
			dp.Steps = append(dp.Steps, st)
			if !st.Again {
				seen[ch] = true
				if err := walk(ch, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return dp, walk(r, 1)
}

// labelOf returns the label of the model of e's rows: the join model of a
// many2many relation, else the referencing model.
func (p *Plugin) labelOf(e *edge) string {
	var m *modelsignals.Model
	if e.join {
		m = p.m2m(e.rel).through
	} else {
		m = p.model(e.child)
	}
	if m == nil {
		return ""
	}
	return m.Label
}

// String renders the plan as an indented tree, one relation a line:
//
//	delete shop.Author: rows read, signals sent
//	  Book.Author: shop.Book CASCADE (constraint): rows read, signals sent
//	    Book.Tags: book_tags CASCADE (many2many): one statement per relation, rows not read
func (dp DeletePlan) String() string {
	var b strings.Builder
	kind := "delete"
	if dp.Soft {
		kind = "soft delete"
	}
	fmt.Fprintf(&b, "%s %s: %s", kind, dp.Model, dp.Load)
	if dp.Fast {
		b.WriteString(" (fast path: one statement)")
	}
	for _, st := range dp.Steps {
		fmt.Fprintf(&b, "\n%s%s: %s %v (%s)", strings.Repeat("  ", st.Depth), st.Relation, st.To, st.OnDelete, st.Source)
		switch {
		case !st.Acts && st.OnDelete == DoNothing:
			b.WriteString(": left to the database")
		case !st.Acts:
			b.WriteString(": not applied by a soft delete")
		case st.OnDelete == Cascade && st.Again:
			b.WriteString(": reached before")
		case st.OnDelete == Cascade:
			fmt.Fprintf(&b, ": %s", st.Load)
		}
	}
	return b.String()
}
