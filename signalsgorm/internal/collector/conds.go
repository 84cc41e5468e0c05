package collector

import (
	"database/sql/driver"
	"math"
	"reflect"
	"slices"
	"strconv"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// cascadeFast follows the relations of n from rows it deletes by
// condition, with subqueries.
func (c *Collector) cascadeFast(n *node, cond []clause.Expression, top *edge) error {
	for _, g := range n.groups {
		if len(g) > 1 {
			ors := make([]clause.Expression, len(g))
			for i, e := range g {
				ors[i] = clause.And(c.subCond(n, e, cond)...)
			}
			c.combine(n, g, [][]clause.Expression{{clause.Or(ors...)}})
			continue
		}
		e := g[0]
		if err := c.follow(n, e, [][]clause.Expression{c.subCond(n, e, cond)}, orEdge(top, e)); err != nil {
			return err
		}
	}
	return nil
}

// subCond selects the rows of e's child that reference the rows of n
// matching cond, with a subquery.
func (c *Collector) subCond(n *node, e *edge, cond []clause.Expression) []clause.Expression {
	refs := make([]string, len(e.refs))
	for i, f := range e.refs {
		refs[i] = f.DBName
	}
	sub := c.query(n.s, n.table, cond).Select(refs)
	var cols any = fkColumns(e)
	if len(e.fks) == 1 {
		cols = fkColumns(e)[0]
	}
	return append([]clause.Expression{clause.Expr{SQL: "? IN (?)", Vars: []any{cols, sub}}}, constConds(e)...)
}

// bySubquery reports whether the rows of n lack a column e references:
// the root's keys given by the caller, without the other columns.
func (c *Collector) bySubquery(n *node, e *edge) bool {
	return c.keysOnly && n == c.l.root &&
		slices.ContainsFunc(e.refs, func(f *schema.Field) bool { return n.index(f) >= n.npk })
}

// width returns the bind parameters one row of n takes in the condition
// of e.
func (c *Collector) width(n *node, e *edge) int {
	if c.bySubquery(n, e) {
		return n.npk
	}
	return len(e.refs)
}

// rowConds returns the conditions selecting the rows of e's child that
// reference rows, one per chunk.
func (c *Collector) rowConds(n *node, e *edge, rows []*row) [][]clause.Expression {
	if c.bySubquery(n, e) {
		var out [][]clause.Expression
		for _, chunk := range chunks(rows, chunkSize(c.limit, n.npk)) {
			out = append(out, c.subCond(n, e, c.pkCond(n, chunk)))
		}
		return out
	}
	idx := make([]int, len(e.refs))
	for i, f := range e.refs {
		idx[i] = n.index(f)
	}
	if len(idx) == 1 && idx[0] == 0 && n.npk == 1 {
		return c.pkRowConds(e, rows)
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
		out = append(out, append([]clause.Expression{inList{clause.IN{Column: col, Values: vs}}}, constConds(e)...))
	}
	return out
}

// combinedConds returns the conditions selecting the rows of the child of
// the edges g that reference rows through any of them, one per chunk: the
// relations joined with OR, as Django's related_objects does.
func (c *Collector) combinedConds(n *node, g []*edge, rows []*row) [][]clause.Expression {
	width := 0
	for _, e := range g {
		width += c.width(n, e)
	}
	var out [][]clause.Expression
	for _, chunk := range chunks(rows, chunkSize(c.limit, width)) {
		var ors []clause.Expression
		for _, e := range g {
			for _, cond := range c.rowConds(n, e, chunk) {
				ors = append(ors, clause.And(cond...))
			}
		}
		switch len(ors) {
		case 0:
		case 1:
			out = append(out, ors)
		default:
			out = append(out, []clause.Expression{clause.Or(ors...)})
		}
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

// inList is a clause.IN that sizes the statement's SQL and bind variables
// for its values before writing them, instead of growing them value by
// value: the lists of a large deletion hold thousands. A list of integers
// takes no bind parameter per key, which cost the drivers about 250 bytes
// a key: on PostgreSQL it is one parameter, an array (col = ANY(...)), and
// on MySQL and SQLite the integers are written into the SQL (on MySQL a
// statement with no other parameter is then one round trip, not a
// prepared statement's three), unless GORM prepares the statements.
type inList struct{ clause.IN }

func (in inList) Build(b clause.Builder) {
	stmt, ok := b.(*gorm.Statement)
	if ok && len(in.Values) > 1 {
		switch dialect := dialectOf(stmt); {
		case !isInt(in.Values[0]): // strings, UUIDs, Valuers: bind parameters, without building a list
		case dialect == "postgres":
			if list, ok := appendInts(append(make([]byte, 0, 2+8*len(in.Values)), '{'), in.Values); ok {
				stmt.WriteQuoted(in.Column)
				stmt.WriteString(" = ANY(CAST(")
				stmt.AddVar(stmt, string(append(list, '}')))
				stmt.WriteString(" AS BIGINT[]))")
				return
			}
		case (dialect == "mysql" || dialect == "sqlite") && !prepares(stmt):
			if list, ok := appendInts(make([]byte, 0, 8*len(in.Values)), in.Values); ok {
				stmt.WriteQuoted(in.Column)
				stmt.WriteString(" IN (")
				stmt.SQL.Write(list)
				stmt.WriteByte(')')
				return
			}
		}
		stmt.Vars = slices.Grow(stmt.Vars, len(in.Values))
		stmt.SQL.Grow(4 * len(in.Values)) // "?, " or "$n,"
	}
	in.IN.Build(b)
}

// prepares reports whether stmt runs under GORM's prepared statements
// (PrepareStmt), which keep every statement text they meet: keys written
// into the SQL would make each deletion's statements new ones.
func prepares(stmt *gorm.Statement) bool {
	switch stmt.ConnPool.(type) {
	case *gorm.PreparedStmtDB, *gorm.PreparedStmtTX:
		return true
	}
	return false
}

func dialectOf(stmt *gorm.Statement) string {
	if stmt.DB == nil || stmt.Dialector == nil {
		return ""
	}
	return stmt.Dialector.Name()
}

// appendInts appends vs to b, separated by commas, or reports false when
// one of them is not an integer that fits a BIGINT (see intValue).
func appendInts(b []byte, vs []any) ([]byte, bool) {
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		rv, ok := intValue(v)
		switch {
		case !ok:
			return b, false
		case rv.CanInt():
			b = strconv.AppendInt(b, rv.Int(), 10)
		default:
			b = strconv.AppendUint(b, rv.Uint(), 10)
		}
	}
	return b, true
}

func isInt(v any) bool { _, ok := intValue(v); return ok }

// intValue returns v when it is an integer that fits a BIGINT: a value of
// an integer type, named ones too, but for a driver.Valuer, which says
// itself what it stores.
func intValue(v any) (reflect.Value, bool) {
	if _, ok := v.(driver.Valuer); ok {
		return reflect.Value{}, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv, rv.Uint() <= math.MaxInt64
	}
	return rv, false
}

// pkRowConds is rowConds for an edge referencing the one-column primary
// key of n: the rows' keys are distinct and never NULL, so they go to the
// lists as they are.
func (c *Collector) pkRowConds(e *edge, rows []*row) [][]clause.Expression {
	var out [][]clause.Expression
	col := clause.Column{Table: e.child.Table, Name: e.fks[0].DBName}
	for _, chunk := range chunks(rows, chunkSize(c.limit, 1)) {
		vs := make([]any, len(chunk))
		for i, r := range chunk {
			vs[i] = r.vals[0]
		}
		out = append(out, append([]clause.Expression{inList{clause.IN{Column: col, Values: vs}}}, constConds(e)...))
	}
	return out
}
