package collector

import (
	"cmp"
	"database/sql/driver"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gosignals/signals/signalsgorm/internal/assoc"
	"gorm.io/gorm/schema"
)

// edge is a relation along which deleting rows of parent affects the rows
// of child that reference them: Django's reverse foreign key.
type edge struct {
	name   string         // "Book.Author", "Author.Books", "Book.Tags"
	parent *schema.Schema // the referenced model
	child  *schema.Schema // the referencing model, or a many2many join table
	fks    []*schema.Field
	refs   []*schema.Field // the parent's columns the fks hold
	consts []constEq       // polymorphic type columns
	mode   Mode
	source string                 // "rule", "tag", "constraint", "many2many" or "default"
	join   bool                   // rows of GORM's generated join table: no signals
	rel    *schema.Relationship   // the many2many relation, for join tables
	decl   []*schema.Relationship // the relation fields declaring it
	fkSide bool                   // declared by the referencing model (belongs-to)
}

type constEq struct {
	field *schema.Field
	value string
}

func (e *edge) self() bool { return e.parent == e.child }

// nullable reports whether the foreign key may be set to NULL: its
// columns are not NOT NULL and their Go types can hold NULL (a pointer, or
// a Valuer whose zero value is NULL, such as sql.NullInt64). A plain uint
// key counts as required, as its Go type says.
func (e *edge) nullable() bool {
	for _, f := range e.fks {
		if f.NotNull || f.PrimaryKey {
			return false
		}
		if f.FieldType.Kind() == reflect.Pointer {
			continue
		}
		v, ok := reflect.Zero(f.FieldType).Interface().(driver.Valuer)
		if !ok {
			return false
		}
		if dv, err := v.Value(); err != nil || dv != nil {
			return false
		}
	}
	return true
}

func (e *edge) key() string {
	var b strings.Builder
	b.WriteString(e.child.Table)
	for _, f := range e.fks {
		b.WriteString("|" + f.DBName)
	}
	b.WriteString(">" + e.parent.Table)
	for _, f := range e.refs {
		b.WriteString("|" + f.DBName)
	}
	for _, c := range e.consts {
		b.WriteString("|" + c.field.DBName + "=" + c.value)
	}
	return b.String()
}

// Graph knows the schemas the plugin met and every schema reachable from
// them through relations, and indexes the edges pointing at each. The zero
// Graph is ready; it is safe for concurrent use.
type Graph struct {
	known    map[*schema.Schema]bool // under mu: a pointer key hashes faster than a sync.Map's interface
	mu       sync.Mutex
	schemas  []*schema.Schema
	incoming map[*schema.Schema][]*edge // nil: rebuild
	errs     map[*schema.Schema]error
	joins    map[*schema.Relationship]*schema.Schema // join tables indexed
	rules    map[ruleKey]Mode

	// index is what edgesTo answers from without the lock: the edges of
	// every schema known when it was built, never modified once stored;
	// nil when the graph changed since.
	index atomic.Pointer[graphIndex]
}

// graphIndex is an immutable copy of a built Graph's answers.
type graphIndex struct {
	at    map[*schema.Schema]indexEntry
	joins map[*schema.Relationship]*schema.Schema
}

type indexEntry struct {
	edges []*edge
	err   error
}

// ruleKey names a relation field of a model type.
type ruleKey struct {
	t     reflect.Type
	field string
}

// SetRule declares the mode of the relation field of the model s, as
// signalsgorm.DeleteRule does; call it before the first deletion.
func (g *Graph) SetRule(s *schema.Schema, field string, m Mode) {
	g.mu.Lock()
	if g.rules == nil {
		g.rules = map[ruleKey]Mode{}
	}
	g.rules[ruleKey{s.ModelType, field}] = m
	g.incoming = nil
	g.index.Store(nil)
	g.mu.Unlock()
	g.Add(s)
}

// Add records s and every schema reachable from it.
func (g *Graph) Add(s *schema.Schema) {
	if s == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.addLocked(s)
}

func (g *Graph) addLocked(s *schema.Schema) {
	if s == nil || assoc.Generated(s.ModelType) {
		return
	}
	if g.known[s] {
		return
	}
	if g.known == nil {
		g.known = map[*schema.Schema]bool{}
	}
	g.known[s] = true
	g.schemas = append(g.schemas, s)
	g.incoming = nil
	g.index.Store(nil)
	// The models reached come after s, in the order of its fields, as
	// they would be defined after it.
	rels := Relations(s)
	slices.SortStableFunc(rels, func(a, b *schema.Relationship) int {
		return cmp.Compare(slices.Index(s.Fields, a.Field), slices.Index(s.Fields, b.Field))
	})
	for _, rel := range rels {
		g.addLocked(rel.FieldSchema)
		g.addLocked(rel.JoinTable)
	}
}

// edgesTo returns the edges pointing at s.
// Once built, it answers from an immutable index without taking the lock
// (every write goes through edgesTo, so that the lock was a cost of every
// deletion).
func (g *Graph) edgesTo(s *schema.Schema) ([]*edge, error) {
	if x := g.index.Load(); x != nil && !stale(x.joins) {
		if e, ok := x.at[s]; ok {
			return e.edges, e.err
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if s != nil && !g.known[s] {
		g.addLocked(s)
	}
	if g.incoming == nil || stale(g.joins) {
		g.build()
		g.index.Store(nil)
	}
	if g.index.Load() == nil {
		x := &graphIndex{at: make(map[*schema.Schema]indexEntry, len(g.schemas)), joins: g.joins}
		for _, k := range g.schemas {
			x.at[k] = indexEntry{g.incoming[k], g.errs[k]}
		}
		g.index.Store(x)
	}
	return g.incoming[s], g.errs[s]
}

// stale reports whether db.SetupJoinTable replaced a join table since the
// index of joins was built.
func stale(joins map[*schema.Relationship]*schema.Schema) bool {
	for rel, join := range joins {
		if rel.JoinTable != join {
			return true
		}
	}
	return false
}

func (g *Graph) build() {
	g.joins = map[*schema.Relationship]*schema.Schema{}
	for i := 0; i < len(g.schemas); i++ { // addLocked may append
		for _, rel := range Relations(g.schemas[i]) {
			if rel.JoinTable != nil {
				g.joins[rel] = rel.JoinTable
				g.addLocked(rel.JoinTable)
			}
		}
	}
	g.incoming = map[*schema.Schema][]*edge{}
	g.errs = map[*schema.Schema]error{}
	byKey := map[string]*edge{}
	for _, s := range g.schemas {
		for _, rel := range Relations(s) {
			if rel.Field == nil || rel.Field.Schema != s {
				continue // copied onto a custom join model by SetupJoinTable
			}
			for _, e := range edgesOf(rel) {
				e.decl = []*schema.Relationship{rel}
				if err := g.resolve(e, rel); err != nil {
					g.errs[e.parent] = err
					continue
				}
				old, dup := byKey[e.key()]
				if !dup {
					byKey[e.key()] = e
					g.incoming[e.parent] = append(g.incoming[e.parent], e)
					continue
				}
				old.decl = append(old.decl, rel)
				if err := merge(old, e); err != nil {
					g.errs[e.parent] = err
				}
			}
		}
	}
	g.sortEdges()
}

// sortEdges orders the edges pointing at each model as Django orders a
// model's reverse relations: by the referencing model, in the order the
// plugin met the models (Django: the order they are defined; a model met
// through the relations of another comes after it, and GORM's generated
// join tables right after the model declaring them), then by the foreign
// key's place in it. The collector follows them in that
// order, which orders the signals of models no dependency orders
// (tests/delete/tests.py, DeletionTests.test_deletion_order).
func (g *Graph) sortEdges() {
	pos := make(map[*schema.Schema]int, len(g.schemas))
	for i, s := range g.schemas {
		pos[s] = 2 * i
	}
	rank := func(e *edge) int {
		if e.join {
			return pos[e.rel.Schema] + 1
		}
		return pos[e.child]
	}
	field := func(e *edge) int { return slices.Index(e.child.Fields, e.fks[0]) }
	for _, es := range g.incoming {
		slices.SortStableFunc(es, func(a, b *edge) int {
			return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(field(a), field(b)), strings.Compare(a.name, b.name))
		})
	}
}

// merge folds e into old, the same foreign key seen from its other side:
// the stronger declaration wins (rule, tag, constraint, default), and two
// equally strong ones must agree.
func merge(old, e *edge) error {
	switch po, pe := rank[old.source], rank[e.source]; {
	case pe > po:
		old.mode, old.source = e.mode, e.source
	case pe == po && old.mode != e.mode:
		return fmt.Errorf("signalsgorm: relation %s is %v (%s) but %s says %v (%s)", old.name, old.mode, old.source, e.name, e.mode, e.source)
	}
	// Name the relation after the foreign key's side, as Django does.
	if e.fkSide && !old.fkSide {
		old.name, old.fkSide = e.name, true
	}
	return nil
}

var rank = map[string]int{"default": 0, "many2many": 1, "constraint": 2, "tag": 3, "rule": 4}

// resolve sets the mode of e, declared by a rule, a signals tag or a GORM
// constraint, else the default.
func (g *Graph) resolve(e *edge, rel *schema.Relationship) error {
	if m, ok := g.rules[ruleKey{rel.Schema.ModelType, rel.Name}]; ok {
		e.mode, e.source = m, "rule"
		return nil
	}
	m, ok, err := tagMode(rel.Field.Tag)
	if err != nil {
		return fmt.Errorf("signalsgorm: %s: %w", e.name, err)
	}
	if ok {
		e.mode, e.source = m, "tag"
		return nil
	}
	if !e.join && rel.JoinTable == nil {
		m, ok, err := fromConstraint(rel.Field.TagSettings["CONSTRAINT"])
		if err != nil {
			return fmt.Errorf("signalsgorm: %s: %w", e.name, err)
		}
		if ok {
			e.mode, e.source = m, "constraint"
			return nil
		}
	}
	e.mode, e.source = DoNothing, "default"
	if rel.JoinTable != nil {
		e.mode, e.source = Cascade, "many2many" // the link rows go with either side
	}
	return nil
}

// edgesOf returns the edges a relation declares.
func edgesOf(rel *schema.Relationship) []*edge {
	name := rel.Schema.Name + "." + rel.Name
	switch rel.Type {
	case schema.HasOne, schema.HasMany:
		e := &edge{name: name, parent: rel.Schema, child: rel.FieldSchema}
		for _, ref := range rel.References {
			switch {
			case ref.PrimaryKey != nil && ref.OwnPrimaryKey:
				e.fks, e.refs = append(e.fks, ref.ForeignKey), append(e.refs, ref.PrimaryKey)
			case ref.PrimaryKey == nil && ref.PrimaryValue != "":
				e.consts = append(e.consts, constEq{ref.ForeignKey, ref.PrimaryValue})
			}
		}
		return nonEmpty(e)
	case schema.BelongsTo:
		e := &edge{name: name, parent: rel.FieldSchema, child: rel.Schema, fkSide: true}
		for _, ref := range rel.References {
			if ref.PrimaryKey != nil && !ref.OwnPrimaryKey {
				e.fks, e.refs = append(e.fks, ref.ForeignKey), append(e.refs, ref.PrimaryKey)
			}
		}
		return nonEmpty(e)
	case schema.Many2Many:
		if rel.JoinTable == nil {
			return nil
		}
		join := assoc.Generated(rel.JoinTable.ModelType)
		own := &edge{name: name, parent: rel.Schema, child: rel.JoinTable, join: join, rel: rel}
		other := &edge{name: name, parent: rel.FieldSchema, child: rel.JoinTable, join: join, rel: rel}
		for _, ref := range rel.References {
			e := other
			if ref.OwnPrimaryKey {
				e = own
			}
			if ref.PrimaryKey != nil {
				e.fks, e.refs = append(e.fks, ref.ForeignKey), append(e.refs, ref.PrimaryKey)
			} else if ref.PrimaryValue != "" {
				e.consts = append(e.consts, constEq{ref.ForeignKey, ref.PrimaryValue})
			}
		}
		return append(nonEmpty(own), nonEmpty(other)...)
	}
	return nil
}

func nonEmpty(e *edge) []*edge {
	if len(e.fks) == 0 {
		return nil
	}
	return []*edge{e}
}

// Relations returns the relations of s, including those of embedded
// structs, by name.
func Relations(s *schema.Schema) []*schema.Relationship {
	rs := &s.Relationships
	rs.Mux.RLock()
	defer rs.Mux.RUnlock()
	var out []*schema.Relationship
	var walk func(r *schema.Relationships)
	walk = func(r *schema.Relationships) {
		for _, rel := range r.Relations {
			out = append(out, rel)
		}
		for _, er := range r.EmbeddedRelations {
			walk(er)
		}
	}
	walk(rs)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Leaf reports whether no relation of another model, nor of s itself,
// makes the deletion of s act on other rows: a deletion of s without
// delete receivers is then GORM's DELETE alone.
func (g *Graph) Leaf(s *schema.Schema) bool {
	edges, err := g.edgesTo(s)
	return err == nil && len(edges) == 0
}
