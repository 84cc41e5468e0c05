package assoc

import (
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// In is a "columns IN values" condition of a WHERE clause.
type In struct {
	Columns string // comma-separated column names
	Values  []any  // values, or []any tuples for several columns
	Negated bool   // under a NOT
}

// Ins returns the IN conditions of a WHERE expression, in order.
func Ins(e clause.Expression) []In {
	return appendIns(nil, e, false)
}

func appendIns(out []In, e clause.Expression, negated bool) []In {
	switch v := e.(type) {
	case clause.Where:
		for _, x := range v.Exprs {
			out = appendIns(out, x, negated)
		}
	case clause.AndConditions:
		for _, x := range v.Exprs {
			out = appendIns(out, x, negated)
		}
	case clause.NotConditions:
		for _, x := range v.Exprs {
			out = appendIns(out, x, !negated)
		}
	case clause.IN:
		out = append(out, In{Columns: columnNames(v.Column), Values: v.Values, Negated: negated})
	}
	return out
}

// columnNames returns the comma-separated names of an IN's column.
func columnNames(col any) string {
	switch c := col.(type) {
	case clause.Column:
		return c.Name
	case []clause.Column:
		names := make([]string, len(c))
		for i, x := range c {
			names[i] = x.Name
		}
		return strings.Join(names, ",")
	case string:
		return c
	}
	return ""
}

// Tuples returns the values of an IN condition as key tuples.
func (c In) Tuples() [][]any {
	out := make([][]any, 0, len(c.Values))
	for _, v := range c.Values {
		if t, ok := v.([]any); ok {
			out = append(out, t)
		} else {
			out = append(out, []any{v})
		}
	}
	return out
}

// Removal is what a join-table DELETE issued by Association.Delete,
// Replace or Clear removes, read from its WHERE clause.
type Removal struct {
	Where   clause.Expression // the statement's WHERE expression
	Rel     int               // index, in the relations given, of the relation used
	Owners  [][]any           // the keys of the owners whose links go
	Related [][]any           // Delete: the related keys submitted, maybe repeated
}

// DecodeRemoval reads a join-table DELETE that GORM's Association method op
// issues. GORM names the owners and, for Delete, the related keys in the
// WHERE clause: "owner_cols IN (...) AND related_cols IN (...)" for Delete,
// "owner_cols IN (...) AND NOT related_cols IN (new keys)" for Replace,
// "owner_cols IN (...)" for Clear and Replace with no values. The first IN
// names the owners, and so the relation used among rels (both sides of a
// relation declared on both models share a join table). ok is false when
// the statement is not of that form, names no owner, or, for Delete, no
// related key.
func DecodeRemoval(stmt *gorm.Statement, op Op, rels []Columns) (r Removal, ok bool) {
	where, found := stmt.Clauses["WHERE"]
	if !found || op == None || op == Append {
		return r, false
	}
	conds := Ins(where.Expression)
	if len(conds) == 0 || conds[0].Negated {
		return r, false
	}
	r.Where, r.Rel = where.Expression, -1
	for i, c := range rels {
		if c.Own == conds[0].Columns {
			r.Rel = i
		}
	}
	if r.Rel < 0 {
		return r, false
	}
	if r.Owners = conds[0].Tuples(); len(r.Owners) == 0 {
		return r, false
	}
	if op != Delete {
		return r, true
	}
	// The related keys: the last IN on the related columns.
	for _, c := range conds[1:] {
		if c.Columns == rels[r.Rel].Other && !c.Negated {
			r.Related = c.Tuples()
		}
	}
	return r, len(r.Related) > 0
}
