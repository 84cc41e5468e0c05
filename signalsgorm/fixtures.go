package signalsgorm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
)

// A FixtureObject is one object of a fixture, in Django's JSON format:
//
//	[{"model": "shop.book", "pk": 1, "fields": {"title": "Dune", "tags": [1, 2]}}]
//
// Model is a model label ("shop.Book"; compared case-insensitively, as
// Django writes "shop.book"); field names are struct field names or column
// names; a many2many field lists the related primary keys.
type FixtureObject struct {
	// Model is the model's label.
	Model string `json:"model"`
	// PK is the object's primary key (null or absent for a new row).
	PK json.RawMessage `json:"pk"`
	// Fields maps field names to values.
	Fields map[string]json.RawMessage `json:"fields"`
}

// LoadFixtures loads the fixture objects read from r, Django's loaddata:
// each object is saved (updated, or inserted when its key is not stored)
// with Raw set on its save signals, so receivers can tell fixture data from
// live writes; many2many fields are set afterwards with
// Association(...).Replace, which sends m2m_changed (as Django's
// DeserializedObject.save does, in django/core/serializers/base.py).
// Everything runs in one transaction: an error (an unknown model or field,
// data after the JSON array, a receiver's error) loads nothing. Models must be known to the plugin
// ([Register], AutoMigrate or an earlier statement). It returns the number
// of objects loaded.
//
// To load without any model signal at all, pass a context made by
// modelsignals.Mute.
func LoadFixtures(ctx context.Context, db *gorm.DB, r io.Reader) (int, error) {
	var objs []FixtureObject
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&objs); err != nil {
		return 0, fmt.Errorf("signalsgorm: fixtures: %w", err)
	}
	// One fixture is one JSON array, as for Django's json.loads: data after
	// it (a second array of concatenated files, or garbage) is an error,
	// never silently dropped.
	if off := dec.InputOffset(); dec.Decode(&json.RawMessage{}) != io.EOF {
		return 0, fmt.Errorf("signalsgorm: fixtures: data after the JSON array at byte %d; a fixture is one JSON array (load concatenated files one at a time)", off)
	}
	if From(db) == nil {
		return 0, errNotInstalled
	}
	raw := modelsignals.WithRaw(ctx)
	err := db.WithContext(raw).Transaction(func(tx *gorm.DB) error {
		type m2m struct {
			inst reflect.Value
			rel  *schema.Relationship
			pks  json.RawMessage
		}
		var links []m2m
		for i, o := range objs {
			inst, s, rels, err := buildFixture(tx, i, o)
			if err != nil {
				return err
			}
			if err := tx.Save(inst.Interface()).Error; err != nil {
				return fmt.Errorf("signalsgorm: fixture object %d (%s): %w", i, o.Model, err)
			}
			for name, pks := range rels {
				links = append(links, m2m{inst, s.Relationships.Relations[name], pks})
			}
		}
		for _, l := range links {
			related := reflect.New(reflect.SliceOf(l.rel.FieldSchema.ModelType))
			var keys []json.RawMessage
			if err := json.Unmarshal(l.pks, &keys); err != nil {
				return fmt.Errorf("signalsgorm: fixture field %s: want a list of keys: %w", l.rel.Name, err)
			}
			for _, k := range keys {
				r := reflect.New(l.rel.FieldSchema.ModelType)
				if err := setPK(tx, l.rel.FieldSchema, r, k); err != nil {
					return err
				}
				related.Elem().Set(reflect.Append(related.Elem(), r.Elem()))
			}
			if err := tx.Model(l.inst.Interface()).Association(l.rel.Name).Replace(related.Interface()); err != nil {
				return fmt.Errorf("signalsgorm: fixture field %s: %w", l.rel.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(objs), nil
}

// buildFixture makes the instance of object i, returning its many2many
// fields apart.
func buildFixture(db *gorm.DB, i int, o FixtureObject) (reflect.Value, *schema.Schema, map[string]json.RawMessage, error) {
	m := modelByLabelFold(o.Model)
	if m == nil {
		var known []string
		for _, k := range modelsignals.Models() {
			known = append(known, k.Label)
		}
		return reflect.Value{}, nil, nil, fmt.Errorf("signalsgorm: fixture object %d: unknown model %q (known: %s)", i, o.Model, strings.Join(known, ", "))
	}
	inst := reflect.New(m.Type)
	s, err := parse(db, inst.Interface())
	if err != nil {
		return reflect.Value{}, nil, nil, err
	}
	if len(o.PK) > 0 && string(o.PK) != "null" {
		if err := setPK(db, s, inst, o.PK); err != nil {
			return reflect.Value{}, nil, nil, fmt.Errorf("signalsgorm: fixture object %d (%s): %w", i, o.Model, err)
		}
	}
	rels := map[string]json.RawMessage{}
	for name, raw := range o.Fields {
		if rel := relationNamed(s, name); rel != nil && rel.JoinTable != nil {
			rels[rel.Name] = raw
			continue
		}
		f := s.LookUpField(name)
		if f == nil || f.DBName == "" {
			return reflect.Value{}, nil, nil, fmt.Errorf("signalsgorm: fixture object %d (%s): unknown field %q", i, o.Model, name)
		}
		if err := setJSON(db, f, inst, raw); err != nil {
			return reflect.Value{}, nil, nil, fmt.Errorf("signalsgorm: fixture object %d (%s) field %q: %w", i, o.Model, name, err)
		}
	}
	return inst, s, rels, nil
}

func modelByLabelFold(label string) *modelsignals.Model {
	for _, m := range modelsignals.Models() {
		if strings.EqualFold(m.Label, label) {
			return m
		}
	}
	return nil
}

func relationNamed(s *schema.Schema, name string) *schema.Relationship {
	for n, r := range s.Relationships.Relations {
		if strings.EqualFold(n, name) || strings.EqualFold(strings.ReplaceAll(name, "_", ""), n) {
			return r
		}
	}
	return nil
}

func setPK(db *gorm.DB, s *schema.Schema, inst reflect.Value, raw json.RawMessage) error {
	if len(s.PrimaryFields) != 1 {
		return fmt.Errorf("model %s has %d primary key fields; fixtures need one", s.Name, len(s.PrimaryFields))
	}
	return setJSON(db, s.PrimaryFields[0], inst, raw)
}

func setJSON(db *gorm.DB, f *schema.Field, inst reflect.Value, raw json.RawMessage) error {
	v := reflect.New(f.FieldType)
	if err := json.Unmarshal(raw, v.Interface()); err != nil {
		return err
	}
	return f.Set(db.Statement.Context, inst.Elem(), v.Elem().Interface())
}
