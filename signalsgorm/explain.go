package signalsgorm

import (
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
)

// Op is an operation [Plugin.Explain] describes.
type Op string

// The operations.
const (
	OpCreate Op = "create" // Create, or Save of a new object
	OpUpdate Op = "update" // Save of a stored object, Update, Updates
	OpDelete Op = "delete"
	OpM2M    Op = "m2m" // Association(...).Append, Replace, Delete, Clear
)

// The kinds of [ExplainStep].
const (
	ExplainHook   = "hook"   // a GORM hook method of the model (BeforeSave, ...)
	ExplainSignal = "signal" // a signal and the receivers it would call
	ExplainSQL    = "sql"    // the statement itself
)

// Explanation says what an operation on a model would run, in firing
// order, without running anything: GORM's hook methods, each signal with
// the receivers it would call (in call order, with where they were
// connected and how they are delivered), and where the SQL runs. It is
// computed from the receivers connected when [Plugin.Explain] is called.
type Explanation struct {
	// Model is the model explained and Op the operation.
	Model *modelsignals.Model
	Op    Op
	// Steps are what the operation runs, in order: GORM's hook methods,
	// each signal with its receivers, and the SQL.
	Steps []ExplainStep
	// Cascade is the delete collector's plan for OpDelete: the models a
	// deletion reaches and how, with the delete receivers their rows would
	// get; nil for the other operations.
	Cascade *DeletePlan
	// Notes explain what the steps cannot show (associations saved along,
	// conditions under which nothing is sent).
	Notes []string
}

// ExplainStep is one step of an [Explanation].
type ExplainStep struct {
	// Kind is ExplainHook, ExplainSignal or ExplainSQL.
	Kind string
	// Name is the hook method, the signal's name, or the statement
	// ("INSERT INTO books").
	Name string
	// Model is the sender of a signal step: the model itself, or the join
	// model of a many-to-many relation ([Through]).
	Model *modelsignals.Model
	Table string
	// Relation is the relation field of an m2m step ("Tags").
	Relation string
	// Receivers are the receivers a signal step would call, in call order.
	Receivers []signals.ReceiverInfo
}

// Explain returns what op on model (a model struct, a pointer to one, or
// a slice of them) would run. It does not touch the database and sends no
// model signal, except that models the plugin did not know yet are
// registered (which sends their class_prepared): the model itself for
// OpDelete and OpM2M, the models a deletion reaches, and the join models
// for OpM2M, as [Through] does.
func (p *Plugin) Explain(model any, op Op) (*Explanation, error) {
	if p.db == nil {
		return nil, errors.New("signalsgorm: Explain: the plugin is not initialized; install it with db.Use")
	}
	s, err := parse(p.db, model)
	if err != nil {
		return nil, err
	}
	x := &Explanation{Model: modelOf(s), Op: op}
	switch op {
	case OpCreate, OpUpdate:
		p.explainSave(x, s, op)
	case OpDelete:
		if err := p.explainDelete(x, s, model); err != nil {
			return nil, err
		}
	case OpM2M:
		p.explainM2M(x, s)
	default:
		return nil, fmt.Errorf("signalsgorm: Explain: unknown operation %q (want create, update, delete or m2m)", op)
	}
	return x, nil
}

// Explain is [Plugin.Explain] for the plugin installed on db.
func Explain(db *gorm.DB, model any, op Op) (*Explanation, error) {
	p := From(db)
	if p == nil {
		return nil, errNotInstalled
	}
	return p.Explain(model, op)
}

// modelOf returns the registered model of s, or an unregistered
// description of it.
func modelOf(s *schema.Schema) *modelsignals.Model {
	if m := modelsignals.Lookup(s.ModelType); m != nil {
		return m
	}
	return &modelsignals.Model{Type: s.ModelType, Label: modelsignals.LabelOf(s.ModelType), Table: s.Table}
}

func signalStep[T any](sig *signals.Signal[T], m *modelsignals.Model) ExplainStep {
	return ExplainStep{Kind: ExplainSignal, Name: sig.Name(), Model: m, Table: m.Table, Receivers: sig.ReceiversFor(m.Type)}
}

func hookStep(name string, m *modelsignals.Model) ExplainStep {
	return ExplainStep{Kind: ExplainHook, Name: name, Model: m, Table: m.Table}
}

func (p *Plugin) explainSave(x *Explanation, s *schema.Schema, op Op) {
	m := x.Model
	verb, before, after := "INSERT INTO ", s.BeforeCreate, s.AfterCreate
	beforeName, afterName := "BeforeCreate", "AfterCreate"
	if op == OpUpdate {
		verb, before, after = "UPDATE ", s.BeforeUpdate, s.AfterUpdate
		beforeName, afterName = "BeforeUpdate", "AfterUpdate"
	}
	// GORM calls BeforeSave, then BeforeCreate/BeforeUpdate; after the
	// write AfterCreate/AfterUpdate, then AfterSave.
	if s.BeforeSave {
		x.Steps = append(x.Steps, hookStep("BeforeSave", m))
	}
	if before {
		x.Steps = append(x.Steps, hookStep(beforeName, m))
	}
	x.Steps = append(x.Steps, signalStep(modelsignals.PreSave, m),
		ExplainStep{Kind: ExplainSQL, Name: verb + s.Table, Model: m, Table: s.Table})
	if after {
		x.Steps = append(x.Steps, hookStep(afterName, m))
	}
	if s.AfterSave {
		x.Steps = append(x.Steps, hookStep("AfterSave", m))
	}
	x.Steps = append(x.Steps, signalStep(modelsignals.PostSave, m))
	var first, then []string
	for _, r := range s.Relationships.BelongsTo {
		first = append(first, r.Name)
	}
	for _, rs := range [][]*schema.Relationship{s.Relationships.HasOne, s.Relationships.HasMany, s.Relationships.Many2Many} {
		for _, r := range rs {
			then = append(then, r.Name)
		}
	}
	if len(first) > 0 {
		x.Notes = append(x.Notes, fmt.Sprintf("associations set on the object are saved first, each with its own signals: %s",
			strings.Join(first, ", ")))
	}
	if len(then) > 0 {
		x.Notes = append(x.Notes, fmt.Sprintf("associations set on the object are saved after the %s, each with its own signals: %s",
			strings.TrimSpace(verb), strings.Join(then, ", ")))
	}
	if op == OpUpdate {
		x.Notes = append(x.Notes, "an update that writes nothing, or matches no row, sends no post_save")
	}
}

func (p *Plugin) explainM2M(x *Explanation, s *schema.Schema) {
	for _, r := range s.Relationships.Many2Many {
		if r.JoinTable == nil {
			continue
		}
		th := p.m2m(r).through // the sender, shared by both sides of the relation
		x.Steps = append(x.Steps, ExplainStep{Kind: ExplainSignal, Name: modelsignals.M2MChanged.Name(), Model: th,
			Table: th.Table, Relation: r.Name, Receivers: modelsignals.M2MChanged.ReceiversFor(th.Type)})
	}
	if len(x.Steps) == 0 {
		x.Notes = append(x.Notes, fmt.Sprintf("%s has no many-to-many relation", x.Model))
		return
	}
	x.Notes = append(x.Notes, "m2m_changed is sent twice per change (pre_ and post_add, _remove or _clear) to the receivers of the relation's join model")
}

// String renders the explanation as indented text.
func (x *Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", x.Op, x.Model)
	for i, s := range x.Steps {
		fmt.Fprintf(&b, "%2d. %s %s", i+1, s.Kind, s.Name)
		if s.Relation != "" {
			fmt.Fprintf(&b, " (%s, join table %s)", s.Relation, s.Table)
		}
		if s.Kind == ExplainSignal {
			fmt.Fprintf(&b, ": %d receiver(s)", len(s.Receivers))
		}
		b.WriteByte('\n')
		writeReceivers(&b, "      ", s.Receivers)
	}
	if c := x.Cascade; c != nil {
		kind := "cascade"
		if c.Soft {
			kind = "cascade of a soft delete"
		}
		fmt.Fprintf(&b, "%s (fast path: %v):\n", kind, c.FastPath)
		for _, r := range c.Steps {
			indent := strings.Repeat("  ", r.Depth+1)
			if r.Depth == 0 {
				fmt.Fprintf(&b, "%s- %s (deleted), signals %v\n", indent, r.Label, r.Signals)
			} else {
				fmt.Fprintf(&b, "%s- %s via %s, on delete %s, acts %v, signals %v\n", indent, r.Label, r.Relation, r.OnDelete, r.Acts, r.Signals)
			}
			writeReceivers(&b, indent+"    pre_delete: ", r.PreDelete)
			writeReceivers(&b, indent+"    post_delete: ", r.PostDelete)
		}
	}
	for _, n := range x.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

func writeReceivers(b *strings.Builder, prefix string, rs []signals.ReceiverInfo) {
	for _, r := range rs {
		fmt.Fprintf(b, "%s%s [%s]", prefix, r, r.Mode)
		if r.UID != "" {
			fmt.Fprintf(b, " uid=%s", r.UID)
		}
		if r.Sender == nil {
			b.WriteString(" (every sender)")
		}
		b.WriteByte('\n')
	}
}
