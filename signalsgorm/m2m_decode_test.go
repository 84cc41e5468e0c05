package signalsgorm

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm/internal/assoc"
)

// The decoding steps of the m2m callbacks, without a database.

type decPost struct {
	ID   uint
	Tags []decTag `gorm:"many2many:dec_post_tags"`
}

type decTag struct{ ID uint }

func decRel(t *testing.T) *m2mRel {
	t.Helper()
	s, err := schema.Parse(&decPost{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	rel := s.Relationships.Relations["Tags"]
	return &m2mRel{rel: rel, Sides: assoc.SidesOf(rel), cols: assoc.ColumnsOf(rel)}
}

// joinRows builds join structs of r, one per (owner, related) pair.
func joinRows(r *m2mRel, pairs ...[2]uint) []reflect.Value {
	ctx := context.Background()
	var out []reflect.Value
	for _, p := range pairs {
		v := reflect.New(r.rel.JoinTable.ModelType)
		_ = r.Own[0].ForeignKey.Set(ctx, v.Elem(), p[0])
		_ = r.Other[0].ForeignKey.Set(ctx, v.Elem(), p[1])
		out = append(out, v)
	}
	return out
}

func ptrs(posts ...*decPost) []reflect.Value {
	out := make([]reflect.Value, len(posts))
	for i, p := range posts {
		out[i] = reflect.ValueOf(p)
	}
	return out
}

func TestDecodeAddsOneOwnerTakesEveryRow(t *testing.T) {
	r := decRel(t)
	// With one owner the join rows' owner column is not read: GORM fills it
	// after this hook for Append.
	a := decodeAdds(context.Background(), r, ptrs(&decPost{ID: 1}), joinRows(r, [2]uint{0, 2}, [2]uint{0, 3}, [2]uint{0, 2}))
	if !reflect.DeepEqual(a.ownerKeys, [][]any{{uint(1)}}) || !reflect.DeepEqual(a.relKeys, [][]any{{uint(2)}, {uint(3)}}) {
		t.Fatalf("owners %v related %v; want [[1]] [[2] [3]]", a.ownerKeys, a.relKeys)
	}
	if n := len(a.owners[0].links); n != 3 {
		t.Errorf("the owner has %d links, want 3", n)
	}
}

func TestDecodeAddsGroupsRowsByOwner(t *testing.T) {
	r := decRel(t)
	p1, p2 := &decPost{ID: 1}, &decPost{ID: 2}
	a := decodeAdds(context.Background(), r, ptrs(p1, p2, p1), joinRows(r, [2]uint{2, 5}, [2]uint{1, 5}, [2]uint{9, 6}))
	if !reflect.DeepEqual(a.ownerKeys, [][]any{{uint(1)}, {uint(2)}}) {
		t.Fatalf("owner keys %v, want [[1] [2]] (each owner once)", a.ownerKeys)
	}
	if !reflect.DeepEqual(a.relKeys, [][]any{{uint(5)}}) {
		t.Errorf("related keys %v, want [[5]] (the row of owner 9 is left out)", a.relKeys)
	}
	if a.owners[0].inst != any(p1) || len(a.owners[0].links) != 1 || len(a.owners[1].links) != 1 {
		t.Errorf("links by owner: %+v, %+v", a.owners[0], a.owners[1])
	}
}

func TestAddEventsReportNewLinks(t *testing.T) {
	r := decRel(t)
	p := &Plugin{}
	owner := func(inst any, related ...uint) *ownerLinks {
		o := &ownerLinks{inst: inst}
		for _, k := range related {
			o.links = append(o.links, link{owner: []any{uint(1)}, related: []any{k}})
		}
		return o
	}
	existing := []link{{owner: []any{uint(1)}, related: []any{uint(2)}}}
	evs := p.addEvents(r, []*ownerLinks{owner("a", 2, 3, 3)}, existing, assoc.None)
	if len(evs) != 1 || evs[0].Action != modelsignals.PreAdd || !reflect.DeepEqual(evs[0].PKSet, []any{uint(3)}) {
		t.Fatalf("events %+v, want one pre_add of [3]", evs)
	}
	if evs := p.addEvents(r, []*ownerLinks{owner("a", 2)}, existing, assoc.None); len(evs) != 0 {
		t.Errorf("a save linking nothing new sent %+v", evs)
	}
	evs = p.addEvents(r, []*ownerLinks{owner("a", 2)}, existing, assoc.Append)
	if len(evs) != 1 || evs[0].PKSet == nil || len(evs[0].PKSet) != 0 {
		t.Errorf("Append linking nothing new: %+v, want one event with an empty set", evs)
	}
	if evs := p.addEvents(r, []*ownerLinks{owner("a")}, nil, assoc.Append); len(evs) != 0 {
		t.Errorf("an owner without rows sent %+v", evs)
	}
}

func TestDeleteDraftsReportEveryKeySubmitted(t *testing.T) {
	owners := [][]any{{1}, {2}}
	if d := deleteDrafts(owners, nil, nil); d != nil {
		t.Errorf("no key submitted: %+v, want nothing", d)
	}
	links := []link{{owner: []any{1}, related: []any{2}}, {owner: []any{2}, related: []any{1}}, {owner: []any{2}, related: []any{2}}}
	d := deleteDrafts(owners, [][]any{{1}, {2}, {1}, {3}}, links)
	if len(d) != 2 || d[1].owner != 1 || d[0].action != modelsignals.PreRemove || !reflect.DeepEqual(d[0].pks, []any{1, 2, 3}) ||
		!reflect.DeepEqual(d[1].pks, []any{1, 2, 3}) {
		t.Errorf("drafts %+v, want pre_remove of [1 2 3] for owners 0 and 1", d)
	}
	// Removed: the keys given that each owner had linked, in the order given.
	if !reflect.DeepEqual(d[0].removed, []any{2}) || !reflect.DeepEqual(d[1].removed, []any{1, 2}) {
		t.Errorf("removed %v and %v, want [2] and [1 2]", d[0].removed, d[1].removed)
	}
	d = deleteDrafts(owners[:1], [][]any{{9}}, nil)
	if len(d) != 1 || d[0].removed == nil || len(d[0].removed) != 0 {
		t.Errorf("nothing linked: removed %#v, want an empty set", d[0].removed)
	}
}

func TestReplaceDrafts(t *testing.T) {
	owners := [][]any{{1}, {2}}
	links := []link{{owner: []any{1}, related: []any{7}}, {owner: []any{1}, related: []any{8}}}
	d := replaceDrafts(assoc.Replace, owners, links)
	if len(d) != 1 || d[0].owner != 0 || d[0].action != modelsignals.PreRemove || !reflect.DeepEqual(d[0].pks, []any{7, 8}) ||
		!reflect.DeepEqual(d[0].removed, []any{7, 8}) {
		t.Errorf("Replace drafts %+v, want pre_remove of [7 8], all removed, for owner 0 only", d)
	}
	d = replaceDrafts(assoc.Clear, owners, links)
	if len(d) != 2 || d[0].action != modelsignals.PreClear || d[0].pks != nil || !reflect.DeepEqual(d[0].removed, []any{7, 8}) {
		t.Fatalf("Clear drafts %+v, want pre_clear for both owners, pk_set nil", d)
	}
	if d[1].removed == nil || len(d[1].removed) != 0 {
		t.Errorf("Clear of an empty relation: removed %#v, want an empty set", d[1].removed)
	}
}
