package collector

import (
	"fmt"

	"gorm.io/gorm/clause"
)

// condSet is what a node's rows were read with: the conditions of the
// reads of one relation (a foreign key IN the parents' keys, in chunks),
// and how many rows they returned.
type condSet struct {
	conds  [][]clause.Expression
	rows   int
	shared bool // a read returned rows collected before
}

// readBy records that a read of n by cond returned loaded rows, fresh of
// them not collected before.
func (c *Collector) readBy(n *node, cond []clause.Expression, loaded, fresh int) {
	cs := c.byCond[n]
	if cs == nil {
		cs = &condSet{}
		c.byCond[n] = cs
	}
	cs.conds = append(cs.conds, cond)
	cs.rows += loaded
	cs.shared = cs.shared || fresh != loaded
}

// setBased returns the conditions that delete exactly the collected rows
// of n, or nil when n's rows must be deleted by key. That holds on SQLite
// when every row of n was read by those conditions, no row twice, and
// nothing but the deletion's own statements has written since it read
// them:
//   - another connection cannot: the deletion's transaction holds the
//     write lock once it writes, and one whose snapshot is older than
//     another's commit cannot write at all;
//   - a receiver of the deletion, on its connection, might (a pre_delete
//     receiver that deletes or adds rows): the connection's
//     total_changes() must equal the rows the deletion's own statements
//     changed;
//   - the models' order needed no dropped relation, so the parents a
//     condition names are deleted after n, and no key n was read by is
//     set to NULL to cut a cycle; n has no self-relation.
//
// A DELETE by a foreign key IN the parents' keys binds fewer values than
// one by the rows' own keys, and SQLite runs it through the foreign key's
// index instead of a temporary index of the keys.
func (c *Collector) setBased(n *node, groups [][]*row) [][]clause.Expression {
	cs := c.byCond[n]
	if !c.watch || cs == nil || cs.shared || len(groups) != 1 || len(n.self) > 0 {
		return nil
	}
	if cs.rows != len(c.sets[n].rows) || len(c.fast[n]) > 0 {
		return nil
	}
	if total, ok := c.totalChanges(); !ok || total != c.baseline+c.ours {
		c.watch = false // something else wrote: by key from here on
		return nil
	}
	return cs.conds
}

// startWatch reads the connection's total_changes() before the deletion
// writes or sends anything, when setBased may apply.
func (c *Collector) startWatch() {
	if !c.acyclic || len(c.byCond) == 0 || c.tx.Dialector.Name() != "sqlite" {
		return
	}
	c.baseline, c.watch = c.totalChanges()
	c.ours = 0
}

// totalChanges returns SQLite's count of the rows the deletion's
// connection has changed, read on its transaction without going through
// GORM's callbacks (it is no statement of the application's).
func (c *Collector) totalChanges() (int64, bool) {
	var n int64
	if err := c.tx.Statement.ConnPool.QueryRowContext(c.ctx, "SELECT total_changes()").Scan(&n); err != nil {
		return 0, false
	}
	return n, true
}

// deleteByCond deletes the rows of n with conds and checks that it
// deleted as many as were collected: more or fewer means the rows changed
// under the deletion, whose signals would then not match what it removed.
func (c *Collector) deleteByCond(n *node, conds [][]clause.Expression, rows []*row) (int64, error) {
	var count int64
	for _, cond := range conds {
		k, err := c.runDelete(n, cond, rows)
		if err != nil {
			return count, err
		}
		count += k
	}
	if count != int64(len(rows)) {
		return count, fmt.Errorf("signalsgorm: deleting from %s: %d rows matched the conditions they were collected with, %d were collected: the rows changed during the deletion", n.table, count, len(rows))
	}
	return count, nil
}
