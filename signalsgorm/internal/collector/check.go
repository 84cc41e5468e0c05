package collector

import (
	"fmt"
	"reflect"

	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/signalsgorm/internal/key"
)

// Refused is a deletion refused by Protect relations (Protect set) or by
// Restrict relations: Django's ProtectedError and RestrictedError.
type Refused struct {
	Protect bool
	// Model is the label of the model deleted and Objects the refusing
	// rows. Relations names, for Protect, the relations of Model the
	// protected rows were reached through; for Restrict, the restricting
	// relations themselves, as Django's RestrictedError does
	// (tests/delete/tests.py, OnDeleteTests.test_restrict_path_cascade_indirect
	// names 'A.restrict' when deleting a P).
	Model     string
	Relations []string
	Objects   []any
}

func (r *Refused) Error() string {
	return fmt.Sprintf("signalsgorm: deleting %s refused by %v", r.Model, r.Relations)
}

// check refuses the deletion for the rows of Protect and Restrict
// relations once everything is collected: a restricted row is allowed when
// the deletion removes it through a cascade (tests/delete/tests.py,
// OnDeleteTests.test_protect and test_restrict_path_cascade_indirect).
func (c *Collector) check() error {
	root := c.l.root.label
	if len(c.protected) > 0 {
		rels, objs := c.gather(c.protected, func(f found) *edge { return f.top }, nil)
		return &Refused{Protect: true, Model: root, Relations: rels, Objects: objs}
	}
	rels, objs := c.gather(c.restricted, func(f found) *edge { return f.e }, func(f found, obj reflect.Value) bool {
		ch := c.l.nodes[f.e.child]
		if ch == nil || c.sets[ch] == nil {
			return false
		}
		_, deleted := c.sets[ch].indexed()[c.pkKey(ch.s, obj)]
		return deleted
	})
	if len(objs) > 0 {
		return &Refused{Model: root, Relations: rels, Objects: objs}
	}
	return nil
}

// gather lists the relations (named by rel) and the distinct objects of
// fs, skipping those allowed reports.
func (c *Collector) gather(fs []found, rel func(found) *edge, allowed func(found, reflect.Value) bool) (rels []string, objs []any) {
	type objKey struct {
		table string
		k     key.Key
	}
	seenRel := map[string]bool{}
	seenObj := map[objKey]bool{}
	for _, f := range fs {
		for _, o := range f.objs {
			if allowed != nil && allowed(f, o) {
				continue
			}
			if k := (objKey{f.e.child.Table, c.pkKey(f.e.child, o)}); !seenObj[k] {
				seenObj[k] = true
				objs = append(objs, o.Interface())
			}
			if name := rel(f).name; !seenRel[name] {
				seenRel[name] = true
				rels = append(rels, name)
			}
		}
	}
	return rels, objs
}

// pkKey returns the key of obj, a row of s; a model without a primary key
// is keyed by the row's address.
func (c *Collector) pkKey(s *schema.Schema, obj reflect.Value) key.Key {
	if len(s.PrimaryFields) == 0 {
		return key.New([]any{obj.Pointer()})
	}
	return key.Of(c.ctx, s.PrimaryFields, obj)
}
