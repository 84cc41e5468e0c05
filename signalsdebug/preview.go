package signalsdebug

import (
	"encoding/json"
	"reflect"
	"time"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/outbox"
)

// Preview returns a one-line preview of an outbox payload for operators:
// the event's metadata (signal, model, key, transaction, time...) and the
// names of its instance's and changes' fields, their values shown as
// "[redacted]" unless values is set. The fields tagged signals:"sensitive"
// always show "[sensitive]", and every value of a model this process has
// not registered (modelsignals.ByLabel) stays redacted, since its sensitive
// fields are unknown. A payload that is not an envelope is described, not
// shown.
func Preview(payload []byte, values bool) string {
	env, err := outbox.Decode(payload)
	if err != nil {
		return "(not an envelope: " + err.Error() + ")"
	}
	var t reflect.Type
	if m := modelsignals.ByLabel(env.Model); m != nil {
		t = m.Type
	}
	r := redactor{t: t, show: values && t != nil}
	p := preview{Signal: env.Signal, Model: env.Model, PK: env.PK, Created: env.Created, UpdateFields: env.UpdateFields,
		Action: env.Action, Field: env.Field, Related: env.Related, Tx: env.Tx, Seq: env.Seq, OccurredAt: env.OccurredAt,
		CorrelationID: env.CorrelationID}
	if len(env.Instance) > 0 {
		p.Instance = r.object(env.Instance)
	}
	if len(env.Changed) > 0 {
		p.Changed = map[string]any{}
		for f, c := range env.Changed {
			p.Changed[f] = r.value(f, c.Old, c.New)
		}
	}
	if len(env.PKSet) > 0 {
		p.PKSet = r.value("", env.PKSet)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return string(b)
}

// preview is what Preview writes, in the envelope's order.
type preview struct {
	Signal        string         `json:"signal"`
	Model         string         `json:"model"`
	PK            string         `json:"pk"`
	Created       bool           `json:"created,omitempty"`
	UpdateFields  []string       `json:"update_fields,omitempty"`
	Changed       map[string]any `json:"changed,omitempty"`
	Instance      any            `json:"instance,omitempty"`
	Action        string         `json:"action,omitempty"`
	Field         string         `json:"field,omitempty"`
	Related       string         `json:"related,omitempty"`
	PKSet         any            `json:"pk_set,omitempty"`
	Tx            string         `json:"tx,omitempty"`
	Seq           uint64         `json:"seq"`
	OccurredAt    time.Time      `json:"occurred_at"`
	CorrelationID string         `json:"correlation_id,omitempty"`
}

// redactor hides values: all of them unless show, the sensitive fields of
// the model type t always.
type redactor struct {
	t    reflect.Type
	show bool
}

// value returns what to show of field's raw values: one, or [old, new].
func (r redactor) value(field string, raw ...json.RawMessage) any {
	switch {
	case field != "" && r.t != nil && outbox.Sensitive(r.t, field):
		return "[sensitive]"
	case !r.show:
		return "[redacted]"
	case len(raw) == 1:
		return raw[0]
	}
	for i, v := range raw {
		if len(v) == 0 {
			raw[i] = json.RawMessage("null")
		}
	}
	return raw
}

// object returns an instance with each field's value redacted as value
// says; an instance that is not an object is redacted whole.
func (r redactor) object(raw json.RawMessage) any {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return r.value("", raw)
	}
	out := make(map[string]any, len(fields))
	for f, v := range fields {
		out[f] = r.value(f, v)
	}
	return out
}
