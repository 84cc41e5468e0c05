package signalsgorm

import (
	"reflect"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
)

// preInit sends pre_init before a query that reads instances of a model.
func (p *Plugin) preInit(db *gorm.DB) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun {
		return
	}
	m := p.model(stmt.Schema)
	if m == nil || stmt.SkipHooks || !modelsignals.PreInit.Active(stmt.Context, m.Type) || !readsModel(stmt) {
		return
	}
	ev := modelsignals.PreInitEvent{Model: m, Dest: stmt.Dest, Using: p.using}
	if err := modelsignals.PreInit.Send(withDB(db), m.Type, ev); err != nil {
		db.AddError(err)
	}
}

// postInit sends post_init for each instance the query read.
func (p *Plugin) postInit(db *gorm.DB) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun || db.RowsAffected == 0 {
		return
	}
	m := p.model(stmt.Schema)
	if m == nil || stmt.SkipHooks {
		return
	}
	p.trackLoaded(db)
	p.rememberLoads(db)
	if !modelsignals.PostInit.Active(stmt.Context, m.Type) {
		return
	}
	ctx := withDB(db)
	for _, v := range instances(stmt.ReflectValue, m.Type) {
		ev := modelsignals.PostInitEvent{Model: m, Instance: v.Interface(), Using: p.using}
		if err := modelsignals.PostInit.Send(ctx, m.Type, ev); err != nil {
			db.AddError(err)
			return
		}
	}
}

// readsModel reports whether the query scans into the model's own type (not
// a count, a pluck or another struct).
func readsModel(stmt *gorm.Statement) bool {
	t := reflect.TypeOf(stmt.Dest)
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		t = t.Elem()
	}
	return t == stmt.Schema.ModelType
}
