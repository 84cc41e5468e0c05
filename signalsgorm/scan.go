package signalsgorm

import (
	"reflect"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
)

// Scan is db.Scan(dest) with the init signals: GORM's Scan reads its rows
// outside the callback chain (db.Rows() then ScanRows), where no plugin can
// see them, so a plain db.Scan into models sends neither pre_init nor
// post_init. Scan sends pre_init before the query and post_init for each
// model instance read, like Find; use it (or Find, which works with Raw
// SQL too) where receivers must see scanned models. dest must be a pointer
// to a model struct or to a slice of them; other destinations are scanned
// without signals.
func Scan(db *gorm.DB, dest any) *gorm.DB {
	p := From(db)
	if p == nil {
		return db.Scan(dest)
	}
	s, err := parse(db, dest)
	if err != nil {
		return db.Scan(dest)
	}
	m := p.modelContext(db.Statement.Context, s)
	ctx := withDB(db)
	if m != nil && modelsignals.PreInit.Active(ctx, m.Type) {
		if err := modelsignals.PreInit.Send(ctx, m.Type, modelsignals.PreInitEvent{Model: m, Dest: dest, Using: p.using}); err != nil {
			tx := db.Session(&gorm.Session{})
			tx.AddError(err)
			return tx
		}
	}
	tx := db.Scan(dest)
	if tx.Error != nil || m == nil || tx.RowsAffected == 0 {
		return tx
	}
	rv := reflect.ValueOf(dest)
	if p.track.tracks(m.Type) {
		fields := columns(s)
		for _, v := range instances(rv, m.Type) {
			p.track.snapshot(db.Statement.Context, fields, v)
		}
	}
	if !modelsignals.PostInit.Active(ctx, m.Type) {
		return tx
	}
	for _, v := range instances(rv, m.Type) {
		if err := modelsignals.PostInit.Send(ctx, m.Type, modelsignals.PostInitEvent{Model: m, Instance: v.Interface(), Using: p.using}); err != nil {
			tx.AddError(err)
			return tx
		}
	}
	return tx
}
