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
// of n, or nil when n's rows must be deleted by key. That holds when every
// row of n was read by those conditions, no row twice, and nothing else
// can have added rows matching them since: on SQLite, whose transaction
// holds the database's write lock once it writes (a transaction whose
// snapshot is older than another's commit cannot write at all), and for
// a node without self-relations, whose rows are deleted level by level.
// A DELETE by a foreign key IN the parents' keys binds fewer values than
// one by the rows' own keys, and SQLite runs it through the foreign key's
// index instead of a temporary index of the keys.
func (c *Collector) setBased(n *node, groups [][]*row) [][]clause.Expression {
	cs := c.byCond[n]
	if cs == nil || cs.shared || len(groups) != 1 || len(n.self) > 0 || c.tx.Dialector.Name() != "sqlite" {
		return nil
	}
	if cs.rows != len(c.sets[n].rows) || len(c.fast[n]) > 0 {
		return nil
	}
	return cs.conds
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
