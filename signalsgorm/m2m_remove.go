package signalsgorm

import (
	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/assoc"
	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// preRemove sends pre_remove or pre_clear before GORM deletes join rows for
// Association.Delete, Replace or Clear. Join rows deleted otherwise (with
// their owner, by Select(...).Delete, or by the database's cascades) send no
// m2m_changed, as in Django, whose collector removes them silently.
func (p *Plugin) preRemove(db *gorm.DB) {
	r, rm, op := p.removeTarget(db)
	if r == nil {
		return
	}
	// The rows the statement is about to delete, read with its own WHERE
	// clause in its transaction.
	links, err := readLinks(db, r, rm.Where)
	if err != nil {
		db.AddError(err)
		return
	}
	var drafts []evDraft
	if op == assoc.Delete {
		drafts = deleteDrafts(rm.Owners, rm.Related, links)
	} else {
		drafts = replaceDrafts(op, rm.Owners, links)
	}
	if len(drafts) == 0 {
		return
	}
	keys := make([][]any, len(drafts))
	for i, d := range drafts {
		keys[i] = rm.Owners[d.owner]
	}
	owners, err := loadOwners(db, r, keys)
	if err != nil {
		db.AddError(err)
		return
	}
	evs := make([]modelsignals.M2MEvent, len(drafts))
	for i, d := range drafts {
		evs[i] = p.m2mEvent(r, d.action, owners[i], d.pks, d.removed)
	}
	p.sendPre(db, r, evs)
}

// removeTarget decodes a join-table DELETE: the relation whose links it
// removes, the owners and keys its WHERE clause names, and the Association
// method that issued it; a nil relation when it sends no m2m_changed.
func (p *Plugin) removeTarget(db *gorm.DB) (*m2mRel, assoc.Removal, assoc.Op) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun || stmt.SkipHooks || stmt.Context == nil {
		return nil, assoc.Removal{}, assoc.None
	}
	rels := p.joinRels(stmt.Schema)
	for _, r := range rels {
		if r.err != nil {
			db.AddError(r.err)
			return nil, assoc.Removal{}, assoc.None
		}
	}
	if rels == nil || !modelsignals.M2MChanged.Active(stmt.Context, rels[0].through.Type) {
		return nil, assoc.Removal{}, assoc.None
	}
	op := assoc.Caller()
	if op == assoc.None || op == assoc.Append {
		return nil, assoc.Removal{}, assoc.None
	}
	cols := make([]assoc.Columns, len(rels))
	for i, r := range rels {
		cols[i] = r.cols
	}
	rm, ok := assoc.DecodeRemoval(stmt, op, cols)
	if !ok {
		return nil, assoc.Removal{}, assoc.None
	}
	return rels[rm.Rel], rm, op
}

// evDraft is an event waiting for its owner to be loaded.
type evDraft struct {
	owner   int // index in the owner keys
	action  modelsignals.M2MAction
	pks     []any
	removed []any
}

// deleteDrafts returns the pre_remove events of Association.Delete for the
// owners whose keys are given, from the related keys given and the links
// the statement deletes: Django's remove reports every key submitted in
// pk_set, linked or not, and nothing when none is (tests/m2m_signals/tests.py,
// ManyToManySignalsTest.test_m2m_relations_signals_remove_relation);
// Removed has those of them each owner had linked, in the order given.
func deleteDrafts(owners, related [][]any, links []link) []evDraft {
	var submitted keySet
	for _, t := range related {
		submitted.add(t)
	}
	if len(submitted.keys) == 0 {
		return nil
	}
	linked := make(map[[2]key.Key]bool, len(links))
	for _, l := range links {
		linked[pairKey(l)] = true
	}
	drafts := make([]evDraft, len(owners))
	for i, o := range owners {
		gone := keySet{keys: []any{}}
		for _, t := range related {
			if linked[pairKey(link{owner: o, related: t})] {
				gone.add(t)
			}
		}
		drafts[i] = evDraft{owner: i, action: modelsignals.PreRemove, pks: submitted.keys, removed: gone.keys}
	}
	return drafts
}

// replaceDrafts returns the events of Association.Replace or Clear for the
// owners whose keys are given, from the links the statement deletes.
// Clear sends pre_clear to every owner, with pk_set nil even for an empty
// relation, as Django's clear does (tests/m2m_signals/tests.py,
// ManyToManySignalsTest.test_m2m_relations_signals_clear_all_parts_of_the_self_vw);
// Removed has the keys it unlinks. Replace removes the old keys not in the
// new ones, and reports only when there are some, as Django's set does
// (ManyToManySignalsTest.test_m2m_relations_signals_clearing_removing);
// they were all linked, so Removed is PKSet.
func replaceDrafts(op assoc.Op, owners [][]any, links []link) []evDraft {
	byOwner := map[key.Key]*keySet{}
	for _, l := range links {
		k := key.New(l.owner)
		if byOwner[k] == nil {
			byOwner[k] = &keySet{keys: []any{}}
		}
		byOwner[k].add(l.related)
	}
	var drafts []evDraft
	for i, k := range owners {
		gone := byOwner[key.New(k)]
		switch {
		case op == assoc.Clear:
			removed := []any{}
			if gone != nil {
				removed = gone.keys
			}
			drafts = append(drafts, evDraft{owner: i, action: modelsignals.PreClear, removed: removed})
		case gone != nil:
			drafts = append(drafts, evDraft{owner: i, action: modelsignals.PreRemove, pks: gone.keys, removed: gone.keys})
		}
	}
	return drafts
}
