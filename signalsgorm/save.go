package signalsgorm

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/gosignals/signals/modelsignals"
)

const saveStateKey = "signals:save_state"

// saveState carries what pre_save found to post_save, within one statement.
type saveState struct {
	stmt      *gorm.Statement
	model     *modelsignals.Model
	instances []reflect.Value // pointers to the model structs
	pkZero    []bool          // per instance: primary key unset before the write
	ctx       context.Context // what receivers get (see withDB)
	tracked   bool
	columns   []*schema.Field // the model's columns, when tracked
	old       [][]any         // per instance: values before the save, when tracked
	one       [1]reflect.Value
	onePK     [1]bool
	fields    []string // update_fields, nil for a full save
	raw       bool
	fallback  bool // the insert of Save's update-then-insert fallback
	// pendingSince is when the state was left for the fallback insert.
	pendingSince time.Time
}

func (p *Plugin) preSaveCreate(db *gorm.DB) { p.preSave(db, true) }
func (p *Plugin) preSaveUpdate(db *gorm.DB) { p.preSave(db, false) }

func (p *Plugin) preSave(db *gorm.DB, create bool) {
	stmt := db.Statement
	if db.Error != nil || stmt.Schema == nil || db.DryRun {
		return
	}
	if p.joinWrite(stmt) {
		return // join rows of many2many relations send no save signals (C85)
	}
	m := p.model(stmt.Schema)
	if m == nil {
		return
	}
	if stmt.SkipHooks {
		if create {
			p.resumeFallback(db, m)
		}
		return
	}
	if err := validate(stmt, create); err != nil {
		db.AddError(err)
		return
	}
	ctx := stmt.Context
	sender := m.Type
	tracked := p.track.tracks(sender)
	active := modelsignals.PreSave.Active(ctx, sender) || modelsignals.PostSave.Active(ctx, sender)
	if !active && !tracked {
		return
	}
	st := &saveState{stmt: stmt, model: m, raw: modelsignals.IsRaw(ctx), tracked: tracked}
	st.instances = instancesInto(st.one[:0], stmt.ReflectValue, stmt.Schema.ModelType)
	if !create {
		// Only objects identified by their primary key are saved; a
		// conditional update of a zero model is a bulk update.
		st.instances = slices.DeleteFunc(st.instances, func(v reflect.Value) bool { return pkIsZero(stmt, v) })
		for _, v := range st.instances {
			p.pending.Delete(v.Interface())
		}
	} else if doNothing(stmt) {
		// INSERT ... ON CONFLICT DO NOTHING, as GORM re-saves the
		// associations of an object: rows that already have a key are
		// left alone, so they are not saved.
		st.instances = slices.DeleteFunc(st.instances, func(v reflect.Value) bool { return !pkIsZero(stmt, v) })
	}
	if len(st.instances) == 0 {
		return
	}
	fields, write, ok := updateFields(stmt, create)
	if !ok {
		return // nothing but relations is written (an association change), or nothing at all (C53)
	}
	st.fields = fields
	st.pkZero = st.onePK[:0]
	if len(st.instances) > 1 {
		st.pkZero = make([]bool, 0, len(st.instances))
	}
	st.pkZero = st.pkZero[:len(st.instances)]
	for i, v := range st.instances {
		st.pkZero[i] = pkIsZero(stmt, v)
	}
	if tracked {
		st.columns = columns(stmt.Schema)
		st.old = make([][]any, len(st.instances))
		if !create && active {
			for i, v := range st.instances {
				st.old[i], _ = p.oldValues(db, st.columns, v)
			}
		}
	}
	if write != nil {
		write.apply(stmt, st.instances)
	}
	stmt.Settings.Store(saveStateKey, st)
	st.ctx = withDB(db)
	if active {
		fr, err := guard(db, m.Label, st.instances)
		if err != nil {
			db.AddError(err)
			return
		}
		st.ctx = withFrame(st.ctx, fr)
	}
	if modelsignals.PreSave.Active(ctx, sender) {
		for i, v := range st.instances {
			ev := modelsignals.SaveEvent{Model: m, Instance: v.Interface(), Raw: st.raw, Using: p.using, UpdateFields: fields}
			if tracked {
				ev.Changes = changes(ctx, st.columns, v, st.old[i], create || st.old[i] == nil, fields)
			}
			if err := modelsignals.PreSave.Send(st.ctx, sender, ev); err != nil {
				db.AddError(err)
				return
			}
		}
	}
	if write != nil {
		write.writeBack(stmt, st.instances)
	}
}

// resumeFallback recognises the insert GORM runs when Save's update matched
// no row (Session{SkipHooks: true} + ON CONFLICT UPDATE ALL + Create of the
// same value): pre_save was sent by the update, post_save follows the
// insert, with Created set.
func (p *Plugin) resumeFallback(db *gorm.DB, m *modelsignals.Model) {
	stmt := db.Statement
	if stmt.ReflectValue.Kind() != reflect.Struct || !stmt.ReflectValue.CanAddr() {
		return
	}
	if c, ok := stmt.Clauses["ON CONFLICT"]; !ok {
		return
	} else if oc, ok := c.Expression.(clause.OnConflict); !ok || !oc.UpdateAll {
		return // not Save's insert fallback (Session{SkipHooks} + OnConflict{UpdateAll})
	}
	v := stmt.ReflectValue.Addr()
	prev, ok := p.pending.LoadAndDelete(v.Interface())
	if !ok {
		return
	}
	st := *prev.(*saveState)
	st.stmt = stmt
	st.ctx = withDB(db)
	st.fallback = true
	stmt.Settings.Store(saveStateKey, &st)
}

func loadState(db *gorm.DB) *saveState {
	v, ok := db.Statement.Settings.Load(saveStateKey)
	if !ok {
		return nil
	}
	st := v.(*saveState)
	if st.stmt != db.Statement {
		return nil // copied into a nested statement (association saves)
	}
	return st
}

func (p *Plugin) postSaveCreate(db *gorm.DB) {
	st := loadState(db)
	if st == nil || db.Error != nil || db.DryRun {
		return
	}
	db.Statement.Settings.Delete(saveStateKey)
	_, upsert := db.Statement.Clauses["ON CONFLICT"]
	skip := doNothing(db.Statement)
	for i := range st.instances {
		if skip && pkIsZero(db.Statement, st.instances[i]) {
			// INSERT ... ON CONFLICT DO NOTHING met a conflict: the row was
			// not written (and GORM set no key), so it was not saved.
			continue
		}
		created := st.pkZero[i] || !upsert
		if st.fallback {
			// Only reached when the update matched no row (on MySQL,
			// postSaveUpdate checked that the row did not exist).
			created = true
		}
		if !p.sendPostSave(db, st, i, created) {
			return
		}
	}
	p.refresh(st)
}

func (p *Plugin) postSaveUpdate(db *gorm.DB) {
	st := loadState(db)
	if st == nil || db.Error != nil || db.DryRun {
		return
	}
	db.Statement.Settings.Delete(saveStateKey)
	// MySQL counts changed rows, not matched ones: 0 may mean "unchanged",
	// so ask whether the row exists.
	if db.RowsAffected == 0 && (!p.mysql || len(st.instances) != 1 || !p.exists(db, st.instances[0])) {
		if len(db.Statement.Selects) == 1 && db.Statement.Selects[0] == "*" && len(st.instances) == 1 {
			// Save will insert the row: post_save waits for the insert.
			// (A user's own Select("*") update of a missing row looks the
			// same but is followed by nothing: such entries expire.)
			st.pendingSince = time.Now()
			p.expirePending(st.pendingSince)
			p.pending.Store(st.instances[0].Interface(), st)
			return
		}
		if !p.mysql || len(st.instances) == 1 {
			// No row matched: nothing was saved (Django sends no
			// post_save, C55).
			return
		}
	}
	for i := range st.instances {
		if !p.sendPostSave(db, st, i, false) {
			return
		}
	}
	p.refresh(st)
}

// expirePending drops fallback states older than a minute: GORM's insert
// fallback follows its update at once, so an older one was never resumed.
func (p *Plugin) expirePending(now time.Time) {
	p.pending.Range(func(k, v any) bool {
		if now.Sub(v.(*saveState).pendingSince) > time.Minute {
			p.pending.Delete(k)
		}
		return true
	})
}

// exists reports whether the row of inst is in the table, reading in the
// statement's transaction.
func (p *Plugin) exists(db *gorm.DB, inst reflect.Value) bool {
	stmt := db.Statement
	q := db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Table(stmt.Table)
	for _, f := range stmt.Schema.PrimaryFields {
		v, _ := f.ValueOf(stmt.Context, inst.Elem())
		q = q.Where(stmt.Quote(f.DBName)+" = ?", v)
	}
	var n int64
	return q.Limit(1).Count(&n).Error == nil && n > 0
}

// refresh records the saved values as the snapshot of tracked instances.
func (p *Plugin) refresh(st *saveState) {
	if !st.tracked {
		return
	}
	for _, v := range st.instances {
		p.track.snapshot(st.stmt.Context, st.columns, v)
	}
}

func (p *Plugin) sendPostSave(db *gorm.DB, st *saveState, i int, created bool) bool {
	ctx := st.ctx
	if !modelsignals.PostSave.Active(ctx, st.model.Type) {
		return true
	}
	v := st.instances[i]
	ev := modelsignals.SaveEvent{Model: st.model, Instance: v.Interface(), Created: created, Raw: st.raw, Using: p.using, UpdateFields: st.fields}
	if st.tracked {
		ev.Changes = changes(ctx, st.columns, v, st.old[i], created || st.old[i] == nil, st.fields)
	}
	if err := modelsignals.PostSave.Send(ctx, st.model.Type, ev); err != nil {
		db.AddError(err)
		return false
	}
	return true
}

// instances returns pointers to the model structs of rv (a struct, or a
// slice or array of structs or pointers to them) whose type is t.
func instances(rv reflect.Value, t reflect.Type) []reflect.Value {
	return instancesInto(nil, rv, t)
}

// instancesInto is instances appending to dst.
func instancesInto(dst []reflect.Value, rv reflect.Value, t reflect.Type) []reflect.Value {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Struct:
		if rv.Type() == t && rv.CanAddr() {
			return append(dst, rv.Addr())
		}
	case reflect.Slice, reflect.Array:
		out := dst
		if cap(out) < rv.Len() {
			out = make([]reflect.Value, 0, rv.Len())
		}
		for i := range rv.Len() {
			e := rv.Index(i)
			for e.Kind() == reflect.Interface && !e.IsNil() {
				e = e.Elem()
			}
			switch {
			case e.Kind() == reflect.Pointer && !e.IsNil() && e.Elem().Type() == t:
				out = append(out, e)
			case e.Kind() == reflect.Struct && e.Type() == t && e.CanAddr():
				out = append(out, e.Addr())
			}
		}
		return out
	}
	return nil
}

func pkIsZero(stmt *gorm.Statement, ptr reflect.Value) bool {
	if len(stmt.Schema.PrimaryFields) == 0 {
		return true
	}
	for _, f := range stmt.Schema.PrimaryFields {
		if _, zero := f.ValueOf(stmt.Context, ptr.Elem()); !zero {
			return false
		}
	}
	return true
}

func doNothing(stmt *gorm.Statement) bool {
	c, ok := stmt.Clauses["ON CONFLICT"]
	if !ok {
		return false
	}
	oc, ok := c.Expression.(clause.OnConflict)
	return ok && oc.DoNothing
}

func isJoinTable(stmt *gorm.Statement) bool {
	// GORM's generated join models are named after the join table and
	// have no package.
	return stmt.Schema.ModelType.PkgPath() == "" && stmt.Schema.ModelType.Name() == ""
}

// validate rejects Select/Omit names and update map keys that name no field
// of the model, before anything is written.
func validate(stmt *gorm.Statement, create bool) error {
	check := func(what, name string) error {
		if name == "*" || name == clause.Associations || knownName(stmt, name) {
			return nil
		}
		return fmt.Errorf("signalsgorm: %s: unknown field %q for model %s; nothing was written", what, name, stmt.Schema.ModelType)
	}
	for _, s := range stmt.Selects {
		if _, ok := stmt.Schema.Relationships.Relations[s]; ok {
			// An association write (Association().Append, ...): GORM adds
			// the join table's keys to the Select list itself.
			return nil
		}
	}
	for _, s := range stmt.Selects {
		if err := check("Select", s); err != nil {
			return err
		}
	}
	for _, s := range stmt.Omits {
		if err := check("Omit", s); err != nil {
			return err
		}
	}
	if !create {
		if m, ok := destMap(stmt); ok {
			for k := range m {
				if err := check("Updates", k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func knownName(stmt *gorm.Statement, name string) bool {
	if stmt.Schema.LookUpField(name) != nil {
		return true
	}
	if _, ok := stmt.Schema.Relationships.Relations[name]; ok {
		return true
	}
	if rel, _, ok := strings.Cut(name, "."); ok {
		if _, isRel := stmt.Schema.Relationships.Relations[rel]; isRel {
			return true // "Tags.*", "Author.Name": GORM's association selections
		}
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 { // "table.column"
		table, col := strings.Trim(name[:i], "`\""), name[i+1:]
		return (table == stmt.Table || table == stmt.Schema.Table) && (col == "*" || stmt.Schema.LookUpField(col) != nil)
	}
	return false
}

// updateFields computes update_fields: nil for a full save, else the sorted
// struct field names written. ok is false when the statement writes no
// column of the model (only relations, or nothing): then it is not a save.
// write describes how to apply the new values of an update to the instance
// before pre_save (nil when the instance is itself what is written).
//
// As in Django, update_fields names what the caller asked to write; columns
// GORM maintains itself (UpdatedAt) are not listed.
func updateFields(stmt *gorm.Statement, create bool) (fields []string, write *updateWrite, ok bool) {
	selects, restricted := stmt.SelectAndOmitColumns(create, !create)
	allowed := func(f *schema.Field) bool {
		v, named := selects[f.DBName]
		return (named && v) || (!named && !restricted)
	}
	dest := reflect.ValueOf(stmt.Dest)
	for dest.Kind() == reflect.Pointer {
		dest = dest.Elem()
	}
	omitsColumns := slices.ContainsFunc(stmt.Omits, func(name string) bool {
		_, rel := stmt.Schema.Relationships.Relations[name]
		return name != clause.Associations && !rel
	})
	switch {
	case create:
		if !restricted && !omitsColumns {
			return nil, nil, true // a full create, or Select("*")
		}
		for _, f := range stmt.Schema.Fields {
			if f.DBName != "" && f.Creatable && allowed(f) {
				fields = append(fields, f.Name)
			}
		}
	case dest.Kind() == reflect.Map:
		m, _ := destMap(stmt)
		write = &updateWrite{kind: reflect.Map, values: map[*schema.Field]any{}, keys: map[*schema.Field]string{}}
		for k, v := range m {
			f := stmt.Schema.LookUpField(k)
			if f == nil || f.DBName == "" || !allowed(f) {
				continue
			}
			fields = append(fields, f.Name)
			write.values[f], write.keys[f] = v, k
		}
	case dest.Kind() == reflect.Struct:
		same := samePointer(stmt.Dest, stmt.Model)
		if same && len(stmt.Selects) == 1 && stmt.Selects[0] == "*" && !omitsColumns {
			return nil, nil, true // Save: every field
		}
		if !same {
			write = &updateWrite{kind: reflect.Struct, values: map[*schema.Field]any{}}
		}
		for _, f := range stmt.Schema.Fields {
			if f.DBName == "" || f.PrimaryKey || !f.Updatable || f.AutoUpdateTime != 0 || !allowed(f) {
				continue
			}
			v, zero := f.ValueOf(stmt.Context, dest)
			// Like GORM: zero values are written only when selected.
			if _, named := selects[f.DBName]; !named && zero {
				continue
			}
			fields = append(fields, f.Name)
			if write != nil {
				write.values[f] = v
			}
		}
	}
	if len(fields) == 0 {
		return nil, nil, false
	}
	sort.Strings(fields)
	return fields, write, true
}

// destMap returns the map of an Updates(map) or Updates(&map).
func destMap(stmt *gorm.Statement) (map[string]any, bool) {
	switch m := stmt.Dest.(type) {
	case map[string]any:
		return m, true
	case *map[string]any:
		if m != nil {
			return *m, true
		}
	}
	return nil, false
}

// samePointer reports whether a and b hold the same pointer.
func samePointer(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.Kind() == reflect.Pointer && vb.Kind() == reflect.Pointer && va.Pointer() == vb.Pointer() && va.Type() == vb.Type()
}

// updateWrite applies the values of an Update/Updates to the instance
// before pre_save, so receivers see the object as it will be written, and
// writes back what receivers changed in those fields.
type updateWrite struct {
	kind   reflect.Kind
	values map[*schema.Field]any
	keys   map[*schema.Field]string // map key used, for map updates
}

func isExpr(v any) bool {
	switch v.(type) {
	case clause.Expression, *gorm.DB:
		return true
	}
	return false
}

func (w *updateWrite) apply(stmt *gorm.Statement, insts []reflect.Value) {
	for f, v := range w.values {
		if isExpr(v) {
			continue
		}
		for _, inst := range insts {
			_ = f.Set(stmt.Context, inst.Elem(), v)
		}
	}
}

func (w *updateWrite) writeBack(stmt *gorm.Statement, insts []reflect.Value) {
	if len(insts) != 1 {
		return // a batch update writes one set of values for every row
	}
	for f, v := range w.values {
		if isExpr(v) {
			continue
		}
		nv, _ := f.ValueOf(stmt.Context, insts[0].Elem())
		if reflect.DeepEqual(nv, v) {
			continue
		}
		if w.kind == reflect.Map {
			m, _ := destMap(stmt)
			m[w.keys[f]] = nv
		} else {
			stmt.SetColumn(f.DBName, nv, true)
		}
	}
}
