package signalsgorm

import (
	"fmt"
	"maps"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/assoc"
)

// m2mRel describes one many2many relation field (Post.Tags) as m2m_changed
// reports it.
type m2mRel struct {
	rel     *schema.Relationship
	join    *schema.Schema // rel.JoinTable when this was computed
	partner *schema.Relationship
	pjoin   *schema.Schema // partner.JoinTable when this was computed
	through *modelsignals.Model
	model   *modelsignals.Model // the side whose field it is
	related *modelsignals.Model
	reverse bool
	table   string
	assoc.Sides
	cols assoc.Columns
	// err reports m2m_changed receivers that can never be called (see
	// modelsignals.BindM2M); statements on the relation fail with it
	// until they are disconnected.
	err error
}

// Through returns the join model of the many2many relation field of model
// (a pointer to a model struct, as for AutoMigrate): the sender of its
// m2m_changed signals. Connect receivers for one relation with it:
//
//	through, err := signalsgorm.Through(db, &Post{}, "Tags")
//	modelsignals.M2MChanged.ConnectFunc(fn, signals.Sender(through.Type))
//
// Both sides of a relation declared on both models (Post.Tags and
// Tag.Posts on the same join table) have the same join model. It is the
// custom join model when db.SetupJoinTable gave one (call SetupJoinTable
// first), otherwise the struct type GORM generates for the join table of
// the forward side, labelled "pkg.Post_Tags".
func Through(db *gorm.DB, model any, field string) (*modelsignals.Model, error) {
	p := From(db)
	if p == nil {
		return nil, errNotInstalled
	}
	s, err := parse(db, model)
	if err != nil {
		return nil, err
	}
	rel, ok := s.Relationships.Relations[field]
	switch {
	case !ok:
		return nil, fmt.Errorf("signalsgorm: Through: %v has no relation field %q", s.ModelType, field)
	case rel.Type != schema.Many2Many || rel.JoinTable == nil:
		return nil, fmt.Errorf("signalsgorm: Through: %v.%s is a %s relation, not many2many", s.ModelType, field, rel.Type)
	}
	r := p.m2m(rel)
	return r.through, r.err
}

// m2m returns the description of rel, computing it the first time, again
// when SetupJoinTable replaced a join table since, and while receivers that
// are never called are connected. Computing it binds the relation field to
// its join model in modelsignals, which calls the receivers connected with
// OnM2MChanged for the field.
func (p *Plugin) m2m(rel *schema.Relationship) *m2mRel {
	if v, ok := p.rels.Load(rel); ok {
		r := v.(*m2mRel)
		if r.join == rel.JoinTable && (r.partner == nil || r.partner.JoinTable == r.pjoin) && r.err == nil {
			return r
		}
	}
	partner := assoc.Partner(rel)
	r := &m2mRel{rel: rel, join: rel.JoinTable, partner: partner, table: rel.JoinTable.Table,
		Sides: assoc.SidesOf(rel), cols: assoc.ColumnsOf(rel)}
	fwd := rel
	if partner != nil {
		r.pjoin = partner.JoinTable
		fwd = assoc.Forward(rel, partner, taggedReverse)
		r.reverse = fwd != rel
	}
	r.through = p.throughOf(fwd, partner)
	r.model, r.related = p.model(rel.Schema), p.model(rel.FieldSchema)
	r.err = modelsignals.BindM2M(bindingOf(rel, r))
	p.rels.Store(rel, r)
	return r
}

// bindingOf describes the relation field rel, whose description is r, to
// modelsignals.
func bindingOf(rel *schema.Relationship, r *m2mRel) modelsignals.M2MBinding {
	b := modelsignals.M2MBinding{
		M2MField: modelsignals.M2MField{Model: rel.Schema.ModelType, Field: rel.Name},
		Related:  rel.FieldSchema.ModelType,
		Through:  r.through.Type,
		Key:      reflect.TypeFor[[]any](),
	}
	if len(r.Other) == 1 {
		b.Key = r.Other[0].PrimaryKey.FieldType
	}
	for _, m := range rel.Schema.Relationships.Many2Many {
		b.Fields = append(b.Fields, m.Name)
	}
	return b
}

// throughOf returns the join model of the relation whose forward side is
// fwd: a custom join model if either side has one, otherwise fwd's
// generated one.
func (p *Plugin) throughOf(fwd, partner *schema.Relationship) *modelsignals.Model {
	join := fwd.JoinTable
	if assoc.Generated(join.ModelType) && partner != nil && !assoc.Generated(partner.JoinTable.ModelType) {
		join = partner.JoinTable
	}
	if !assoc.Generated(join.ModelType) {
		return p.model(join)
	}
	m, err := modelsignals.Register(modelsignals.Model{
		Type:  join.ModelType,
		Label: modelsignals.LabelOf(fwd.Schema.ModelType) + "_" + fwd.Name,
		Table: join.Table,
	})
	if err != nil { // unreachable: join.ModelType is a struct type
		panic(err)
	}
	p.storeModel(join, m)
	return m
}

// generatedJoinModel is [Plugin.model] for the join tables GORM generates:
// the model of the relation's join model when s is its sender, or nil for
// the join type GORM generates for the reverse side of a relation declared
// on both models, which is the same table.
func (p *Plugin) generatedJoinModel(s *schema.Schema) *modelsignals.Model {
	// GORM's generated join struct ends with a field of the owner's type
	// (tagged gorm:"-") naming the relation.
	t := s.ModelType
	owner := t.Field(t.NumField() - 1).Type
	var m *modelsignals.Model
	if os, err := parse(p.db, reflect.New(owner).Interface()); err == nil {
		for _, rel := range os.Relationships.Many2Many {
			if rel.JoinTable == s {
				if th := p.m2m(rel).through; th.Type == t {
					m = th
				}
				break
			}
		}
	}
	p.storeModel(s, m)
	return m
}

// taggedReverse reports whether rel's field is tagged signals:"reverse":
// the reverse side of a relation declared on both models.
func taggedReverse(rel *schema.Relationship) bool {
	return rel.Field != nil && tagHas(rel.Field.Tag, "reverse")
}

// joinRels returns the many2many relations whose join model is s (one, or
// both sides of a custom join model), or nil when s is no join table.
func (p *Plugin) joinRels(s *schema.Schema) []*m2mRel {
	var rels []*schema.Relationship
	ok := false
	if m := p.joins.Load(); m != nil {
		rels, ok = (*m)[s]
	}
	if !ok {
		rels = p.addJoins(s)
	}
	if len(rels) == 0 {
		return nil
	}
	out := make([]*m2mRel, len(rels))
	for i, rel := range rels {
		out[i] = p.m2m(rel)
	}
	return out
}

// addJoins records the relations using s as join table.
func (p *Plugin) addJoins(s *schema.Schema) []*schema.Relationship {
	through := assoc.Through(s)
	p.joinsMu.Lock()
	defer p.joinsMu.Unlock()
	m := map[*schema.Schema][]*schema.Relationship{s: through}
	if old := p.joins.Load(); old != nil {
		maps.Copy(m, *old)
	}
	p.joins.Store(&m)
	return through
}

// joinWrite reports whether stmt writes the join rows of a many2many
// relation: rows of a generated join table, or rows of a custom join model
// that GORM links with INSERT ... ON CONFLICT DO NOTHING when it saves an
// association. Join rows send no save signals, as in Django (tests/signals/tests.py,
// SignalTests.test_save_and_delete_signals_with_m2m).
func (p *Plugin) joinWrite(stmt *gorm.Statement) bool {
	return isJoinTable(stmt) || doNothing(stmt) && p.joinRels(stmt.Schema) != nil
}
