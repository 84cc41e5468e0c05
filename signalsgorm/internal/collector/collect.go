package collector

import (
	"context"
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// Collector is one deletion: Django's Collector. Collection reads what
// the deletion reaches and checks protections; nothing is written or sent
// until it succeeds (tests/delete/tests.py, OnDeleteTests.test_protect).
type Collector struct {
	env    *Env
	l      *Layout
	ctx    context.Context
	tx     *gorm.DB // on the deletion's transaction
	limit  int
	origin any
	now    func() time.Time   // one time for every row a soft delete marks
	limit1 []clause.Interface // ORDER BY and LIMIT of the root's statement, while read
	// keysOnly is set when the root's rows hold their primary keys only,
	// given by the caller (keysGiven).
	keysOnly bool

	sets map[*node]*rowSet
	seen []*node // collection order
	fast map[*node][][]clause.Expression
	// byCond holds, per node, the conditions its rows were read with
	// when a DELETE by those conditions removes exactly those rows
	// (setBased).
	byCond map[*node]*condSet
	// acyclic is set when the models' order needed no dropped relation;
	// watch, when setBased may apply: baseline is the connection's
	// total_changes() before the deletion wrote or sent anything, ours
	// the rows the collector's own statements changed since.
	acyclic, watch bool
	baseline, ours int64
	deps           map[*node]map[*node][]*edge // node → nodes deleted before it
	updates        []update

	protected, restricted []found
}

type rowSet struct {
	rows []*row
	// index holds rows by primary key; nil until a second add or a
	// look-up needs it (indexed): the rows of one read are distinct.
	index map[key.Key]*row
	npk   int
}

// indexed returns the index of the set, built at the first call.
func (s *rowSet) indexed() map[key.Key]*row {
	if s.index == nil {
		s.index = make(map[key.Key]*row, len(s.rows))
		for _, r := range s.rows {
			s.index[key.New(r.vals[:s.npk])] = r
		}
	}
	return s.index
}

// row is a collected row: its key columns (node.cols), and in LoadRows
// mode the instance.
type row struct {
	vals  []any
	inst  reflect.Value
	level int
}

// found are rows of a Protect or Restrict relation; top is the relation
// of the deleted model the cascade went through.
type found struct {
	top, e *edge
	objs   []reflect.Value
}

// update sets the foreign key of edge e to NULL (or its default) in the
// rows matching cond.
type update struct {
	e    *edge
	cond []clause.Expression
	null bool // NULL whatever the mode: a cycle is cut
}

// New starts the deletion l describes on tx, the deletion's transaction;
// origin is what the events carry as Origin.
func New(env *Env, l *Layout, tx *gorm.DB, origin any) *Collector {
	now := tx.NowFunc()
	return &Collector{env: env, l: l, ctx: tx.Statement.Context, tx: tx, limit: env.MaxParams, origin: origin,
		now:  func() time.Time { return now },
		sets: map[*node]*rowSet{}, fast: map[*node][][]clause.Expression{}, deps: map[*node]map[*node][]*edge{},
		byCond: map[*node]*condSet{}}
}

// query starts a statement on the rows of s in table matching cond, with
// soft-deleted rows hidden for a soft delete only.
func (c *Collector) query(s *schema.Schema, table string, cond []clause.Expression) *gorm.DB {
	db := c.tx.Session(&gorm.Session{NewDB: true}).Model(reflect.New(s.ModelType).Interface()).Table(table)
	if !c.l.soft {
		db = db.Unscoped()
	}
	if len(cond) > 0 {
		db = db.Clauses(clause.Where{Exprs: cond})
	}
	for _, cl := range c.limit1 {
		db = db.Clauses(cl)
	}
	return db
}

func (c *Collector) note(n *node) {
	if _, ok := c.sets[n]; !ok {
		c.sets[n] = &rowSet{npk: n.npk}
		c.seen = append(c.seen, n)
	}
}

// collectRoot collects the rows of the root req selects: those matching
// its conditions, and those of its primary keys (chunked) when given;
// req.User holds the caller's instances, which become the events'
// instances. req.Limit holds the ORDER BY and LIMIT clauses of a
// conditional delete on MySQL, where GORM's DELETE honours them.
func (c *Collector) collectRoot(req Request) error {
	where, pks, user, limit := req.Where, req.PKs, req.User, req.Limit
	r := c.l.root
	c.note(r)
	var fresh []*row
	switch {
	case c.l.Given(req):
		// Django's Model.delete(): the instances are the rows.
		return c.cascadeRows(r, c.add(r, c.l.givenRows(c.ctx, user), false), nil)
	case c.keysGiven(where, pks):
		rows := make([]*row, len(pks))
		for i, pk := range pks {
			rows[i] = &row{vals: pk}
		}
		fresh = c.add(r, rows, true) // GORM's keys are distinct
		c.keysOnly = true
	default:
		conds := [][]clause.Expression{where}
		if len(pks) > 0 {
			conds = nil
			for _, chunk := range chunks(pks, chunkSize(c.limit, r.npk)) {
				col, vals := schema.ToQueryValues(r.table, r.s.PrimaryFieldDBNames, chunk)
				conds = append(conds, append(where[:len(where):len(where)], inList{clause.IN{Column: col, Values: vals}}))
			}
		}
		if len(pks) == 0 {
			c.limit1 = limit
		}
		for _, cond := range conds {
			rs, err := c.load(r, cond)
			if err != nil {
				c.limit1 = nil
				return err
			}
			fresh = append(fresh, c.add(r, rs, true)...)
		}
		c.limit1 = nil
	}
	c.adopt(fresh, user)
	return c.cascadeRows(r, fresh, nil)
}

// keysGiven reports whether the root's keys need not be read: a hard
// delete of instances, without other conditions, of a model that needs no
// more than its keys. Keys of rows that do not exist then delete nothing;
// relations referencing other columns than the primary key select them
// with a subquery (rowConds).
func (c *Collector) keysGiven(where []clause.Expression, pks [][]any) bool {
	r := c.l.root
	return r.load == LoadKeys && !c.l.soft && len(where) == 0 && len(pks) > 0 &&
		!r.cyclic && !r.restricted
}

// adopt makes the caller's instances those of the events, refreshed from
// the rows read.
func (c *Collector) adopt(rows []*row, user []reflect.Value) {
	if len(user) == 0 {
		return
	}
	r := c.l.root
	byKey := make(map[key.Key]reflect.Value, len(user))
	for _, u := range user {
		if k := key.Of(c.ctx, r.s.PrimaryFields, u); !byKey[k].IsValid() {
			byKey[k] = u
		}
	}
	for _, row := range rows {
		u, ok := byKey[key.New(row.vals[:r.npk])]
		if !ok {
			continue
		}
		if row.inst.IsValid() {
			for _, f := range r.s.Fields {
				if f.DBName != "" && f.Readable {
					v, _ := f.ValueOf(c.ctx, row.inst.Elem())
					_ = f.Set(c.ctx, u.Elem(), v)
				}
			}
		}
		row.inst = u
	}
}

// add records rows of n and returns those not collected before. distinct
// tells that rows hold no key twice (the rows of one read).
func (c *Collector) add(n *node, rows []*row, distinct bool) []*row {
	c.note(n)
	set := c.sets[n]
	if len(set.rows) == 0 && set.index == nil && distinct {
		set.rows = rows
		return rows
	}
	index := set.indexed()
	fresh := make([]*row, 0, len(rows))
	for _, r := range rows {
		k := key.New(r.vals[:n.npk])
		if _, ok := index[k]; ok {
			continue
		}
		index[k] = r
		set.rows = append(set.rows, r)
		fresh = append(fresh, r)
	}
	return fresh
}

// cascadeRows follows the relations of n from its collected rows.
func (c *Collector) cascadeRows(n *node, rows []*row, top *edge) error {
	if len(rows) == 0 {
		return nil
	}
	for _, g := range n.groups {
		if len(g) > 1 {
			c.combine(n, g, c.combinedConds(n, g, rows))
			continue
		}
		if err := c.follow(n, g[0], c.rowConds(n, g[0], rows), orEdge(top, g[0])); err != nil {
			return err
		}
	}
	return nil
}

// combine deletes by conds the rows of the child of the edges g, a group
// of [Layout.group]: one model, deleted by condition, reaching nothing.
func (c *Collector) combine(parent *node, g []*edge, conds [][]clause.Expression) {
	if len(conds) == 0 {
		return
	}
	ch := c.l.nodes[g[0].child]
	for _, e := range g {
		c.dep(parent, ch, e)
	}
	c.note(ch)
	c.fast[ch] = append(c.fast[ch], conds...)
}

func orEdge(top, e *edge) *edge {
	if top != nil {
		return top
	}
	return e
}

// follow applies the mode of e to the rows of its child matching conds.
func (c *Collector) follow(parent *node, e *edge, conds [][]clause.Expression, top *edge) error {
	if len(conds) == 0 {
		return nil
	}
	switch e.mode {
	case Cascade:
		ch := c.l.nodes[e.child]
		c.dep(parent, ch, e)
		if ch.load == LoadNone {
			c.note(ch)
			for _, cond := range conds {
				c.fast[ch] = append(c.fast[ch], cond)
				if err := c.cascadeFast(ch, cond, top); err != nil {
					return err
				}
			}
			return nil
		}
		var fresh []*row
		for _, cond := range conds {
			rs, err := c.load(ch, cond)
			if err != nil {
				return err
			}
			if len(rs) > 0 {
				f := c.add(ch, rs, true)
				c.readBy(ch, cond, len(rs), len(f))
				fresh = append(fresh, f...)
			}
		}
		return c.cascadeRows(ch, fresh, top)
	case Protect, Restrict:
		for _, cond := range conds {
			objs, err := c.loadRows(e.child, e.child.Table, cond)
			if err != nil {
				return err
			}
			if len(objs) == 0 {
				continue
			}
			f := found{top: top, e: e, objs: objs}
			if e.mode == Protect {
				c.protected = append(c.protected, f)
			} else {
				c.restricted = append(c.restricted, f)
				if ch := c.l.nodes[e.child]; ch != nil {
					c.dep(parent, ch, e)
				}
			}
		}
	case SetNull, SetDefault:
		for _, cond := range conds {
			c.updates = append(c.updates, update{e: e, cond: cond})
		}
	}
	return nil
}

// dep records that child's rows are deleted before parent's.
func (c *Collector) dep(parent, child *node, e *edge) {
	if parent == child {
		return
	}
	if c.deps[parent] == nil {
		c.deps[parent] = map[*node][]*edge{}
	}
	c.deps[parent][child] = append(c.deps[parent][child], e)
}
