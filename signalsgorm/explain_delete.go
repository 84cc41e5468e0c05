package signalsgorm

import (
	"fmt"

	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
)

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
	plan, err := p.DeletePlan(model)
	if err != nil {
		return fmt.Errorf("signalsgorm: Explain: delete plan of %s: %w", m, err)
	}
	for i := range plan.Steps {
		st := &plan.Steps[i]
		if !st.Signals || st.Model == nil {
			continue
		}
		st.PreDelete = modelsignals.PreDelete.ReceiversFor(st.Model.Type)
		st.PostDelete = modelsignals.PostDelete.ReceiversFor(st.Model.Type)
	}
	x.Cascade = &plan
	return nil
}
