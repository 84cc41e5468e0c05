package signalsgorm

import (
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/signalsgorm/internal/assoc"
	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// link is one row of a join table: the owner's key and the related key,
// each a tuple of column values typed like the models' key fields.
type link struct {
	owner, related []any
}

// keySet is an ordered set of key tuples.
type keySet struct {
	keys []any // single values, or []any for keys of several columns
	seen map[key.Key]bool
}

func (s *keySet) add(tuple []any) {
	k := key.New(tuple)
	if s.seen == nil {
		s.seen = map[key.Key]bool{}
	}
	if s.seen[k] {
		return
	}
	s.seen[k] = true
	s.keys = append(s.keys, key.Event(tuple))
}

func pairKey(l link) [2]key.Key {
	return [2]key.Key{key.New(l.owner), key.New(l.related)}
}

// readLinks reads the rows of r's join table matching where, in the
// statement's transaction. The query goes through GORM's Row processor
// with hooks skipped: it sends no signals.
func readLinks(db *gorm.DB, r *m2mRel, where ...clause.Expression) ([]link, error) {
	cols := make([]string, 0, len(r.Own)+len(r.Other))
	for _, ref := range r.Own {
		cols = append(cols, ref.ForeignKey.DBName)
	}
	for _, ref := range r.Other {
		cols = append(cols, ref.ForeignKey.DBName)
	}
	tx := db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Table(r.table).Select(cols)
	for _, ref := range r.Fixed {
		tx = tx.Where(clause.Eq{Column: clause.Column{Table: r.table, Name: ref.ForeignKey.DBName}, Value: ref.PrimaryValue})
	}
	for _, w := range where {
		tx = tx.Clauses(w)
	}
	rows, err := tx.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []link
	dest := make([]any, len(cols))
	vals := make([]reflect.Value, len(cols))
	for i, ref := range append(r.Own[:len(r.Own):len(r.Own)], r.Other...) {
		vals[i] = reflect.New(ref.PrimaryKey.FieldType)
		dest[i] = vals[i].Interface()
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := make([]any, len(cols))
		for i, v := range vals {
			row[i] = v.Elem().Interface()
		}
		out = append(out, link{owner: row[:len(r.Own):len(r.Own)], related: row[len(r.Own):]})
	}
	return out, rows.Err()
}

// inCondition returns "columns IN tuples" for the join columns of refs.
func inCondition(table string, refs []*schema.Reference, tuples [][]any) clause.Expression {
	names := make([]string, len(refs))
	for i, ref := range refs {
		names[i] = ref.ForeignKey.DBName
	}
	col, vals := schema.ToQueryValues(table, names, tuples)
	return clause.IN{Column: col, Values: vals}
}

// loadOwners returns the owners whose keys are given, read in the
// statement's transaction with hooks skipped (no post_init), in the order of
// keys. An owner that is not stored is given as a new object with only its
// key set.
func loadOwners(db *gorm.DB, r *m2mRel, keys [][]any) ([]any, error) {
	t := r.rel.Schema.ModelType
	found := map[key.Key]reflect.Value{}
	cols := make([]string, len(r.Own))
	for i, ref := range r.Own {
		cols[i] = ref.PrimaryKey.DBName
	}
	col, vals := schema.ToQueryValues(r.rel.Schema.Table, cols, keys)
	list := reflect.New(reflect.SliceOf(t))
	err := db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Unscoped().
		Model(reflect.New(t).Interface()).Where(clause.IN{Column: col, Values: vals}).Find(list.Interface()).Error
	if err != nil {
		return nil, err
	}
	ctx := db.Statement.Context
	for i := range list.Elem().Len() {
		v := list.Elem().Index(i)
		found[key.New(assoc.Tuple(ctx, v, r.Own, false))] = v.Addr()
	}
	out := make([]any, len(keys))
	for i, k := range keys {
		if v, ok := found[key.New(k)]; ok {
			out[i] = v.Interface()
			continue
		}
		v := reflect.New(t)
		for j, ref := range r.Own {
			_ = ref.PrimaryKey.Set(ctx, v.Elem(), k[j])
		}
		out[i] = v.Interface()
	}
	return out, nil
}
