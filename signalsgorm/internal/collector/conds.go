package collector

import (
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// cascadeFast follows the relations of n from rows it deletes by
// condition, with subqueries.
func (c *Collector) cascadeFast(n *node, cond []clause.Expression, top *edge) error {
	for _, e := range n.edges {
		refs := make([]string, len(e.refs))
		for i, f := range e.refs {
			refs[i] = f.DBName
		}
		sub := c.query(n.s, n.table, cond).Select(refs)
		var cols any = fkColumns(e)
		if len(e.fks) == 1 {
			cols = fkColumns(e)[0]
		}
		sc := append([]clause.Expression{clause.Expr{SQL: "? IN (?)", Vars: []any{cols, sub}}}, constConds(e)...)
		if err := c.follow(n, e, [][]clause.Expression{sc}, orEdge(top, e)); err != nil {
			return err
		}
	}
	return nil
}

// rowConds returns the conditions selecting the rows of e's child that
// reference rows, one per chunk.
func (c *Collector) rowConds(n *node, e *edge, rows []*row) [][]clause.Expression {
	idx := make([]int, len(e.refs))
	for i, f := range e.refs {
		idx[i] = n.index(f)
	}
	seen := make(map[key.Key]bool, len(rows))
	vals := make([][]any, 0, len(rows))
next:
	for _, r := range rows {
		v := make([]any, len(idx))
		for i, j := range idx {
			if v[i] = r.vals[j]; key.IsNull(v[i]) {
				continue next
			}
		}
		if k := key.New(v); !seen[k] {
			seen[k] = true
			vals = append(vals, v)
		}
	}
	names := make([]string, len(e.fks))
	for i, f := range e.fks {
		names[i] = f.DBName
	}
	var out [][]clause.Expression
	for _, chunk := range chunks(vals, chunkSize(c.limit, len(idx))) {
		col, vs := schema.ToQueryValues(e.child.Table, names, chunk)
		out = append(out, append([]clause.Expression{clause.IN{Column: col, Values: vs}}, constConds(e)...))
	}
	return out
}

func fkColumns(e *edge) []clause.Column {
	cols := make([]clause.Column, len(e.fks))
	for i, f := range e.fks {
		cols[i] = clause.Column{Table: e.child.Table, Name: f.DBName}
	}
	return cols
}

func constConds(e *edge) []clause.Expression {
	var out []clause.Expression
	for _, k := range e.consts {
		out = append(out, clause.Eq{Column: clause.Column{Table: e.child.Table, Name: k.field.DBName}, Value: k.value})
	}
	return out
}
