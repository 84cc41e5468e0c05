// Package collector is Django's deletion Collector for signalsgorm: it
// finds what deleting rows of a model reaches through relations (graph.go,
// layout.go), reads the rows it must (rows.go), follows each relation's
// on_delete mode (collect.go, conds.go), refuses protected and restricted
// deletions (check.go), orders the models and the rows (order.go) and runs
// the deletion, sending pre_delete and post_delete (execute.go), with
// statements sized to the dialect's bind parameter limit (limits.go).
//
// It never imports signalsgorm: what it needs from the plugin (the models
// registered, the join model of a many2many relation, the context
// receivers get) comes through an [Env]. It returns plain values
// ([Result], [*Refused], [Step]) that signalsgorm turns into its public
// types.
//
// The behaviour follows Django's django.db.models.deletion.Collector; see
// https://docs.djangoproject.com/en/stable/ref/models/fields/#django.db.models.ForeignKey.on_delete
// and Django's tests in tests/delete/tests.py.
package collector

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
)

// RawKey is the statement setting that marks the collector's own DELETEs,
// which the plugin's delete callback hands to GORM untouched.
const RawKey = "signals:raw_delete"

// Env is what the collector needs from the plugin.
type Env struct {
	// Model returns the model registered for s, nil for none.
	Model func(s *schema.Schema) *modelsignals.Model
	// Through returns the join model m2m_changed reports for a many2many
	// relation, nil for none.
	Through func(rel *schema.Relationship) *modelsignals.Model
	// Context returns the context delete receivers get for a statement.
	Context func(db *gorm.DB) context.Context
	// Using is the database alias the events carry.
	Using string
	// MaxParams is the number of bind parameters a statement may use.
	MaxParams int
	// Lean reports whether the rows of s may be read without GORM's Find
	// (scanRows): nothing observes their loading (pre_init, post_init,
	// AfterFind, change tracking). nil: always read with Find.
	Lean func(ctx context.Context, s *schema.Schema) bool
}
