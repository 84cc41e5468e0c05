package signalsgorm

import (
	"fmt"

	"gorm.io/gorm/schema"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
)

// CascadePlan is what the delete collector plans for a deletion
// ([Plugin.DeletePlan]): every model it reaches, and how, with the delete
// receivers each model's rows would get.
type CascadePlan struct {
	// FastPath is set when the deletion is GORM's single DELETE
	// statement: no receiver applies and no relation acts.
	FastPath bool
	// Soft is set for a soft delete (the model has a gorm.DeletedAt
	// field).
	Soft bool
	// Reached lists the models the deletion reaches, the deleted model
	// first.
	Reached []CascadeStep
}

// CascadeStep is one model a deletion reaches.
type CascadeStep struct {
	// Depth is 0 for the model deleted, 1 for the models reached through
	// its relations, and so on.
	Depth int
	// Model is the model whose rows are reached (nil for a table the
	// plugin has no model of), Label its label or table.
	Model *modelsignals.Model
	Label string
	// Via is the relation that reaches the model ("Author.Books"), empty
	// for the model being deleted.
	Via string
	// OnDelete is what happens to the rows reached: "CASCADE",
	// "SET_NULL", "PROTECT", "RESTRICT", "DO_NOTHING", ...; Acts is false
	// when the relation does nothing in this deletion (DO_NOTHING, or a
	// soft delete that keeps the rows).
	OnDelete string
	Acts     bool
	// FastPath is set when these rows get no signals: they are deleted or
	// updated by statements without being loaded, or not touched.
	FastPath bool
	// PreDelete and PostDelete are the receivers each row would get
	// (filled in by Explain; empty on the fast path).
	PreDelete, PostDelete []signals.ReceiverInfo
}

// cascadePlan returns the delete collector's plan for db.Delete(model)
// ([Plugin.DeletePlan]) in Explain's terms: the model deleted, then every
// relation the deletion follows, with the model whose rows it reaches.
func (p *Plugin) cascadePlan(model any) (*CascadePlan, error) {
	dp, err := p.DeletePlan(model)
	if err != nil {
		return nil, err
	}
	byLabel := map[string]*modelsignals.Model{}
	for _, m := range modelsignals.Models() {
		byLabel[m.Label] = m
	}
	plan := &CascadePlan{FastPath: dp.Fast, Soft: dp.Soft,
		Reached: []CascadeStep{{Model: byLabel[dp.Model], Label: dp.Model, FastPath: !dp.Signals}}}
	for _, st := range dp.Steps {
		plan.Reached = append(plan.Reached, CascadeStep{Depth: st.Depth, Model: byLabel[st.To], Label: st.To,
			Via: st.Relation, OnDelete: st.OnDelete.String(), Acts: st.Acts, FastPath: !(st.Acts && st.Signals)})
	}
	return plan, nil
}

func (p *Plugin) explainDelete(x *Explanation, s *schema.Schema, model any) error {
	m := x.Model
	if s.BeforeDelete {
		x.Steps = append(x.Steps, hookStep("BeforeDelete", m))
	}
	// The collector runs in place of GORM's DELETE: pre_delete for every
	// row it collected, the statements, then post_delete; GORM's
	// AfterDelete comes after it.
	x.Steps = append(x.Steps, signalStep(modelsignals.PreDelete, m),
		ExplainStep{Kind: ExplainSQL, Name: "DELETE FROM " + s.Table, Model: m, Table: s.Table},
		signalStep(modelsignals.PostDelete, m))
	if s.AfterDelete {
		x.Steps = append(x.Steps, hookStep("AfterDelete", m))
	}
	plan, err := p.cascadePlan(model)
	if err != nil {
		return fmt.Errorf("signalsgorm: Explain: delete plan of %s: %w", m, err)
	}
	for i := range plan.Reached {
		c := &plan.Reached[i]
		if c.FastPath || c.Model == nil {
			continue
		}
		c.PreDelete = modelsignals.PreDelete.ReceiversFor(c.Model.Type)
		c.PostDelete = modelsignals.PostDelete.ReceiversFor(c.Model.Type)
	}
	x.Cascade = plan
	return nil
}
