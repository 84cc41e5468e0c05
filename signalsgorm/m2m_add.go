package signalsgorm

import (
	"context"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/assoc"
	"github.com/gosignals/signals/signalsgorm/internal/key"
)

type m2mFrameKey struct{}

// m2mFrame tells the statements GORM runs to save an object's associations
// which object they belong to. GORM writes join rows with a new statement
// that gets no settings from the owner's, but the owner's context:
// ownerBegin puts the frame into the owner statement's context before
// gorm:save_after_associations, ownerEnd takes it out after.
type m2mFrame struct {
	stmt  *gorm.Statement // the owner's statement
	prev  context.Context
	rels  []*m2mRel // the owner's relations that have receivers
	op    assoc.Op  // the Association method that runs the statement
	opRel *schema.Relationship
}

func (f *m2mFrame) find(join *schema.Schema) *m2mRel {
	for _, r := range f.rels {
		if r.rel.JoinTable == join {
			return r
		}
	}
	return nil
}

// ownerBegin runs in the Create and Update processors of every model; it
// does something only for models with many2many relations.
func (p *Plugin) ownerBegin(db *gorm.DB, update bool) {
	stmt := db.Statement
	if stmt.Schema == nil || len(stmt.Schema.Relationships.Many2Many) == 0 || stmt.Context == nil {
		return
	}
	ctx := stmt.Context
	var rels []*m2mRel
	if db.Error == nil && !db.DryRun && !stmt.SkipHooks {
		for _, rel := range stmt.Schema.Relationships.Many2Many {
			if rel.JoinTable == nil {
				continue
			}
			r := p.m2m(rel)
			if r.err != nil {
				db.AddError(r.err)
				return
			}
			if modelsignals.M2MChanged.Active(ctx, r.through.Type) {
				rels = append(rels, r)
			}
		}
	}
	if rels == nil && ctx.Value(m2mFrameKey{}) == nil {
		return // the fast path: nobody listens
	}
	// With no receivers, a frame without relations still hides an outer
	// owner's frame from this object's own association saves.
	f := &m2mFrame{stmt: stmt, prev: ctx, rels: rels}
	if rels != nil && update && len(stmt.Selects) > 0 {
		// Association.Append and Replace save the owner with
		// Select(<relation>, ...).
		if rel := stmt.Schema.Relationships.Relations[stmt.Selects[0]]; rel != nil && rel.Type == schema.Many2Many {
			f.op, f.opRel = assoc.Caller(), rel
		}
	}
	stmt.Context = context.WithValue(ctx, m2mFrameKey{}, f)
}

func (p *Plugin) ownerEnd(db *gorm.DB) {
	stmt := db.Statement
	if stmt.Context == nil {
		return
	}
	if f, ok := stmt.Context.Value(m2mFrameKey{}).(*m2mFrame); ok && f.stmt == stmt {
		stmt.Context = f.prev
	}
}

// ownerLinks are the join rows a statement inserts for one owner.
type ownerLinks struct {
	inst  any
	links []link
}

// preAdd sends pre_add before GORM inserts join rows for an owner whose
// frame lists the relation, with the related keys not linked before.
func (p *Plugin) preAdd(db *gorm.DB) {
	f, r := p.addTarget(db)
	if r == nil {
		return
	}
	op := assoc.None // a save of the owner: report new links only
	if f.opRel == r.rel {
		op = f.op
	}
	stmt := db.Statement
	a := decodeAdds(stmt.Context, r, instances(f.stmt.ReflectValue, f.stmt.Schema.ModelType),
		instances(stmt.ReflectValue, stmt.Schema.ModelType))
	if len(a.relKeys) == 0 {
		return
	}
	// Django's pk_set for an add: the keys not linked already. GORM's
	// INSERT ... ON CONFLICT DO NOTHING absorbs the others.
	existing, err := readLinks(db, r, inCondition(r.table, r.Own, a.ownerKeys), inCondition(r.table, r.Other, a.relKeys))
	if err != nil {
		db.AddError(err)
		return
	}
	p.sendPre(db, r, p.addEvents(r, a.owners, existing, op))
}

// addTarget returns the frame of the owner whose join rows stmt inserts,
// and the relation they belong to, or a nil relation when the statement
// sends no m2m_changed.
func (p *Plugin) addTarget(db *gorm.DB) (*m2mFrame, *m2mRel) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun || stmt.Context == nil {
		return nil, nil
	}
	f, _ := stmt.Context.Value(m2mFrameKey{}).(*m2mFrame)
	if f == nil || f.stmt == stmt || !doNothing(stmt) {
		// GORM inserts join rows with ON CONFLICT DO NOTHING; a join row
		// a receiver writes itself, in the owner's context, is not an add.
		return nil, nil
	}
	return f, f.find(stmt.Schema)
}

// adds are the join rows a statement inserts, by owner.
type adds struct {
	owners    []*ownerLinks // in the order of the owner statement's objects
	ownerKeys [][]any       // the owners' keys, one per owner
	relKeys   [][]any       // the related keys, each once
}

// decodeAdds groups the join rows a statement inserts (pointers to join
// structs) by the owners of the owner statement (pointers to models).
// Rows of no listed owner are left out.
func decodeAdds(ctx context.Context, r *m2mRel, owners, rows []reflect.Value) adds {
	var a adds
	byKey := map[key.Key]*ownerLinks{}
	for _, o := range owners {
		k := assoc.Tuple(ctx, o.Elem(), r.Own, false)
		if ks := key.New(k); byKey[ks] == nil {
			byKey[ks] = &ownerLinks{inst: o.Interface()}
			a.owners = append(a.owners, byKey[ks])
			a.ownerKeys = append(a.ownerKeys, k)
		}
	}
	seenRel := map[key.Key]bool{}
	for _, row := range rows {
		l := link{related: assoc.Tuple(ctx, row.Elem(), r.Other, true)}
		var o *ownerLinks
		if len(a.owners) == 1 {
			// One owner (Append on an object): every row is its.
			o, l.owner = a.owners[0], a.ownerKeys[0]
		} else {
			l.owner = assoc.Tuple(ctx, row.Elem(), r.Own, true)
			o = byKey[key.New(l.owner)]
		}
		if o == nil {
			continue
		}
		o.links = append(o.links, l)
		if rk := key.New(l.related); !seenRel[rk] {
			seenRel[rk] = true
			a.relKeys = append(a.relKeys, l.related)
		}
	}
	return a
}

// addEvents returns the pre_add events of owners, given the links that
// exist already: Association.Append always reports, with an empty set when
// every key was linked; a save or Replace only when links are new, as
// Django's add and set do (tests/m2m_signals/tests.py,
// ManyToManySignalsTest.test_pk_set_on_repeated_add_remove and
// test_m2m_relations_signals_alternative_ways).
func (p *Plugin) addEvents(r *m2mRel, owners []*ownerLinks, existing []link, op assoc.Op) []modelsignals.M2MEvent {
	linked := make(map[[2]key.Key]bool, len(existing))
	for _, l := range existing {
		linked[pairKey(l)] = true
	}
	var evs []modelsignals.M2MEvent
	for _, o := range owners {
		added := keySet{keys: []any{}}
		for _, l := range o.links {
			if !linked[pairKey(l)] {
				added.add(l.related)
			}
		}
		if len(o.links) == 0 || len(added.keys) == 0 && op != assoc.Append {
			continue
		}
		evs = append(evs, p.m2mEvent(r, modelsignals.PreAdd, o.inst, added.keys, nil))
	}
	return evs
}

func (p *Plugin) m2mEvent(r *m2mRel, a modelsignals.M2MAction, inst any, pks, removed []any) modelsignals.M2MEvent {
	return modelsignals.M2MEvent{
		Action: a, Through: r.through, Instance: inst, Model: r.model, Field: r.rel.Name,
		Reverse: r.reverse, Related: r.related, PKSet: pks, Removed: removed, Using: p.using,
	}
}

const m2mStateKey = "signals:m2m_state"

// m2mState carries the pre_* events of a statement to its post_* hook.
type m2mState struct {
	stmt *gorm.Statement
	r    *m2mRel
	evs  []modelsignals.M2MEvent
}

// sendPre sends the pre_* events evs and keeps them for postM2M.
func (p *Plugin) sendPre(db *gorm.DB, r *m2mRel, evs []modelsignals.M2MEvent) {
	if len(evs) == 0 {
		return
	}
	ctx := withDB(db)
	for _, ev := range evs {
		if err := modelsignals.M2MChanged.Send(ctx, r.through.Type, ev); err != nil {
			db.AddError(err)
			return
		}
	}
	db.Statement.Settings.Store(m2mStateKey, &m2mState{stmt: db.Statement, r: r, evs: evs})
	p.m2mOpen.Add(1)
}

// postM2M sends the post_* counterpart of each pre_* event, after the
// statement wrote, before its transaction commits.
func (p *Plugin) postM2M(db *gorm.DB) {
	if p.m2mOpen.Load() == 0 {
		return // no statement is between its pre_* and post_* events
	}
	v, ok := db.Statement.Settings.Load(m2mStateKey)
	if !ok {
		return
	}
	st := v.(*m2mState)
	if st.stmt != db.Statement {
		return
	}
	db.Statement.Settings.Delete(m2mStateKey)
	p.m2mOpen.Add(-1)
	if db.Error != nil {
		return
	}
	ctx := withDB(db)
	for _, ev := range st.evs {
		ev.Action++ // PreAdd → PostAdd, PreRemove → PostRemove, PreClear → PostClear
		if err := modelsignals.M2MChanged.Send(ctx, st.r.through.Type, ev); err != nil {
			db.AddError(err)
			return
		}
	}
}
