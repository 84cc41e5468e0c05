package signalsgorm

import "github.com/gosignals/signals/modelsignals"

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
