package signalsgorm

import (
	"context"
	"fmt"
	"strings"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/collector"
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

// String describes the mode ("keys read").
func (l Load) String() string { return collector.Load(l).String() }

// DeletePlan describes what deleting rows of a model does, with the
// receivers connected when it was made, without running anything: the
// models the deletion reaches, the on_delete mode of each relation, how
// rows are read, and whether the fast path applies. [Plugin.DeletePlan]
// returns it, and [Explain] includes it for a deletion.
type DeletePlan struct {
	// Model is the label of the model deleted.
	Model string
	// Soft is set when the plan is a soft delete (the model has a
	// gorm.DeletedAt field and the delete is not Unscoped).
	Soft bool
	// FastPath is set when the deletion is GORM's single DELETE
	// statement: no receiver applies and no relation acts, so nothing is
	// read.
	FastPath bool
	// Steps are the model deleted (Steps[0], at depth 0), then the
	// relations pointing at the models reached, depth first.
	Steps []DeleteStep
}

// DeleteStep is the model deleted or a relation in a [DeletePlan].
type DeleteStep struct {
	// Depth is 0 for the model deleted, 1 for the relations pointing at
	// it, 2 for those of the models it cascades to, and so on.
	Depth int
	// Relation names the relation ("Book.Author"), From the label of the
	// model whose rows are deleted; both are empty for the model deleted.
	Relation, From string
	// Label is the label of the model whose rows the step reaches (a join
	// table's name for many2many links without a model), Model that model
	// when the plugin knows it.
	Label string
	Model *modelsignals.Model
	// OnDelete is the relation's mode, and Source where it was declared:
	// "rule", "tag", "constraint", "many2many" or "default". Both are
	// zero for the model deleted.
	OnDelete OnDelete
	Source   string
	// Acts is false when the relation does nothing in this deletion:
	// DoNothing, or a soft delete that keeps the rows it would change.
	Acts bool
	// For the model deleted and an acting Cascade: how the rows are read,
	// whether they get pre_delete and post_delete, and whether the model
	// was reached before (the walk stops).
	Load    Load
	Signals bool
	Again   bool
	// PreDelete and PostDelete are the receivers each row would get, when
	// Signals is set; only [Explain] fills them in.
	PreDelete, PostDelete []signals.ReceiverInfo
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
	soft := collector.SoftField(s) != nil && !unscoped
	l, err := collector.NewLayout(context.Background(), p.delEnv, &p.graph, s, collector.Options{Table: s.Table, Soft: soft, Signals: true})
	if err != nil {
		return DeletePlan{}, err
	}
	steps, err := l.Steps(p.delEnv, &p.graph)
	if err != nil {
		return DeletePlan{}, err
	}
	m, load, sig := l.Root()
	dp := DeletePlan{Model: l.Label(), Soft: soft, FastPath: l.Fast(), Steps: make([]DeleteStep, 0, len(steps)+1)}
	dp.Steps = append(dp.Steps, DeleteStep{Label: l.Label(), Model: m, Acts: true, Load: Load(load), Signals: sig})
	for _, st := range steps {
		dp.Steps = append(dp.Steps, DeleteStep{Depth: st.Depth, Relation: st.Relation, From: st.From, Label: st.To,
			Model: st.Model, OnDelete: OnDelete(st.Mode), Source: st.Source, Acts: st.Acts,
			Load: Load(st.Load), Signals: st.Signals, Again: st.Again})
	}
	return dp, nil
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
	var load Load
	if len(dp.Steps) > 0 {
		load = dp.Steps[0].Load
	}
	fmt.Fprintf(&b, "%s %s: %s", kind, dp.Model, load)
	if dp.FastPath {
		b.WriteString(" (fast path: one statement)")
	}
	for _, st := range dp.Steps {
		if st.Depth == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s%s: %s %v (%s)", strings.Repeat("  ", st.Depth), st.Relation, st.Label, st.OnDelete, st.Source)
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
