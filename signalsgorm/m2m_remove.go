package signalsgorm

import (
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// inCond is a "columns IN values" condition of a WHERE clause.
type inCond struct {
	cols    string // comma-separated column names
	values  []any  // values, or []any tuples for several columns
	negated bool
}

// collectIN gathers the IN conditions of a WHERE expression, in order.
func collectIN(e clause.Expression, negated bool, out []inCond) []inCond {
	switch v := e.(type) {
	case clause.Where:
		for _, x := range v.Exprs {
			out = collectIN(x, negated, out)
		}
	case clause.AndConditions:
		for _, x := range v.Exprs {
			out = collectIN(x, negated, out)
		}
	case clause.NotConditions:
		for _, x := range v.Exprs {
			out = collectIN(x, !negated, out)
		}
	case clause.IN:
		var names []string
		switch c := v.Column.(type) {
		case clause.Column:
			names = []string{c.Name}
		case []clause.Column:
			for _, col := range c {
				names = append(names, col.Name)
			}
		case string:
			names = []string{c}
		}
		out = append(out, inCond{cols: strings.Join(names, ","), values: v.Values, negated: negated})
	}
	return out
}

// tuples returns the values of an IN condition as key tuples.
func (c inCond) tuples() [][]any {
	out := make([][]any, 0, len(c.values))
	for _, v := range c.values {
		if t, ok := v.([]any); ok {
			out = append(out, t)
		} else {
			out = append(out, []any{v})
		}
	}
	return out
}

// preRemove sends pre_remove or pre_clear before GORM deletes join rows for
// Association.Delete, Replace or Clear. Join rows deleted otherwise (with
// their owner, by Select(...).Delete, or by the database's cascades) send no
// m2m_changed, as in Django (C84).
//
// GORM's statements name the owners and, for Delete, the related keys in
// their WHERE clause: "owner_cols IN (...) AND related_cols IN (...)" for
// Delete, "owner_cols IN (...) AND NOT related_cols IN (new keys)" for
// Replace, "owner_cols IN (...)" for Clear and Replace with no values.
func (p *Plugin) preRemove(db *gorm.DB) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun || stmt.SkipHooks || stmt.Context == nil {
		return
	}
	rels := p.joinRels(stmt.Schema)
	if rels == nil || !modelsignals.M2MChanged.Active(stmt.Context, rels[0].through.Type) {
		return
	}
	op := associationOp()
	if op == opNone || op == opAppend {
		return
	}
	where, ok := stmt.Clauses["WHERE"]
	if !ok {
		return
	}
	conds := collectIN(where.Expression, false, nil)
	if len(conds) == 0 || conds[0].negated {
		return
	}
	// The first IN names the owners, and so the side whose relation was
	// used (both sides of a custom join model share it).
	var r *m2mRel
	for _, c := range rels {
		if own, _ := joinColumns(c.rel); own == conds[0].cols {
			r = c
		}
	}
	if r == nil {
		return
	}
	ownerKeys := conds[0].tuples()
	if len(ownerKeys) == 0 {
		return
	}
	var evs []evDraft
	switch op {
	case opDelete:
		// Django's remove reports every key submitted (C76).
		_, other := joinColumns(r.rel)
		var last *inCond
		for i, c := range conds[1:] {
			if c.cols == other && !c.negated {
				last = &conds[1+i]
			}
		}
		var submitted keySet
		if last != nil {
			for _, t := range last.tuples() {
				submitted.add(t)
			}
		}
		if len(submitted.keys) == 0 {
			return // remove() with no objects sends nothing (C76)
		}
		for i := range ownerKeys {
			evs = append(evs, evDraft{owner: i, action: modelsignals.PreRemove, pks: submitted.keys})
		}
	case opReplace, opClear:
		// The rows the statement is about to delete, read with its own
		// WHERE clause in its transaction.
		links, err := readLinks(db, r, where.Expression)
		if err != nil {
			db.AddError(err)
			return
		}
		byOwner := map[key.Key]*keySet{}
		for _, l := range links {
			k := key.New(l.owner)
			if byOwner[k] == nil {
				byOwner[k] = &keySet{keys: []any{}}
			}
			byOwner[k].add(l.related)
		}
		for i, k := range ownerKeys {
			gone := byOwner[key.New(k)]
			switch {
			case op == opClear:
				// Django's clear sends pk_set=None, even for an empty
				// relation (C77); Removed has the keys it unlinks.
				removed := []any{}
				if gone != nil {
					removed = gone.keys
				}
				evs = append(evs, evDraft{owner: i, action: modelsignals.PreClear, removed: removed})
			case gone != nil:
				// Replace: remove of old-not-in-new, only when not
				// empty (C79).
				evs = append(evs, evDraft{owner: i, action: modelsignals.PreRemove, pks: gone.keys})
			}
		}
	}
	if len(evs) == 0 {
		return
	}
	var keys [][]any
	for _, d := range evs {
		keys = append(keys, ownerKeys[d.owner])
	}
	owners, err := loadOwners(db, r, keys)
	if err != nil {
		db.AddError(err)
		return
	}
	out := make([]modelsignals.M2MEvent, len(evs))
	for i, d := range evs {
		out[i] = p.m2mEvent(r, d.action, owners[i], d.pks, d.removed)
	}
	p.sendPre(db, r, out)
}

// evDraft is an event waiting for its owner to be loaded.
type evDraft struct {
	owner   int // index in the owner keys
	action  modelsignals.M2MAction
	pks     []any
	removed []any
}
