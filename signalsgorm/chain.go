package signalsgorm

import (
	"fmt"
	"slices"

	"gorm.io/gorm"
)

// The callback chain. GORM runs a statement through the processor of its
// kind (create, query, update, delete, row, raw), a chain of named
// callbacks that it sorts by their anchors. chain lists, per processor and
// in chain order, every callback the plugin adds, with GORM's own in
// comments where they run. TestChain reads the chains back from GORM and
// compares them with these tables, so that a GORM release that moves a
// callback fails a test.
//
// Each hook names the GORM callback it sits after and the one it sits
// before. GORM puts a hook right before its before anchor and refuses the
// registration if that is before its after anchor, so hooks between the
// same anchors run in table order. A hook with only an after anchor goes
// to the end of the chain; "*" is the start (before) or the end (after)
// of the chain, ahead of or behind every other callback. GORM puts each
// hook anchored before "*" ahead of those registered before it, so
// registerChain registers them last first.
//
// signals:join starts every chain: a statement issued with a receiver's
// context joins the transaction of the statement that sent the signal
// (txn.go) before GORM would begin a transaction of its own.
//
// In the create, update and delete chains the hooks run between
// gorm:begin_transaction and gorm:commit_or_rollback_transaction, inside
// the statement's transaction, so that what receivers write commits or
// rolls back with the statement. The exceptions are join and
// durable_begin, first, and durable_commit, last: where GORM opens no
// transaction (SkipDefaultTransaction) the durable hooks open one around
// the writes of models with durable receivers. pre_save, pre_update, pre_add and pre_remove run
// after GORM's Before* model hooks, post_save, post_add and post_remove
// after its After* model hooks; post_update runs before AfterUpdate and
// post_init before AfterFind.

// A hook is one callback of the plugin in a processor's chain.
type hook struct {
	name          string
	after, before string         // anchors: GORM's callbacks, "*" or "" (none)
	fn            func(*gorm.DB) // the callback

	// replace, when set instead of fn, replaces GORM's callback name with
	// replace(the callback it replaces); such a hook keeps GORM's place and
	// name, and has no anchors.
	replace func(orig func(*gorm.DB)) func(*gorm.DB)
}

// processorHooks are the hooks of one processor, in chain order.
type processorHooks struct {
	proc  string // "create", "query", "update", "delete", "row" or "raw"
	hooks []hook
}

// chain returns the plugin's hooks, per processor in chain order.
// sql_start and sql_end (trace.go) surround the callback that runs the
// SQL, inside the plugin's hooks that run queries and send signals of
// their own (pre_update, pre_add and pre_remove before it; post_update and
// m2m_owner after it).
func (p *Plugin) chain() []processorHooks {
	return []processorHooks{
		{"create", p.createHooks()},
		{"query", []hook{
			{name: "signals:join", before: "*", fn: p.joinTx},
			{name: "signals:pre_init", before: "gorm:query", fn: p.preInit},
			{name: "signals:sql_start", before: "gorm:query", fn: startSQL},
			// gorm:query
			{name: "signals:sql_end", after: "gorm:query", before: "gorm:preload", fn: endSQL},
			{name: "signals:post_init", after: "gorm:query", before: "gorm:preload", fn: p.postInit},
			// gorm:preload, gorm:after_query
		}},
		{"update", p.updateHooks()},
		{"delete", p.deleteHooks()},
		{"row", []hook{
			{name: "signals:join", before: "*", fn: p.joinRow},
			{name: "signals:sql_start", before: "gorm:row", fn: startSQL},
			// gorm:row
			{name: "signals:sql_end", after: "gorm:row", fn: endSQL},
		}},
		{"raw", []hook{
			{name: "signals:join", before: "*", fn: p.joinTx},
			{name: "signals:sql_start", before: "gorm:raw", fn: startSQL},
			// gorm:raw
			{name: "signals:savepoint", after: "gorm:raw", fn: followSavepoint},
			{name: "signals:sql_end", after: "gorm:raw", fn: endSQL},
		}},
	}
}

// createHooks are the hooks of the create chain (Create, and Save's inserts).
func (p *Plugin) createHooks() []hook {
	ownerCreate := func(db *gorm.DB) { p.ownerBegin(db, false) }
	return []hook{
		{name: "signals:join", before: "*", fn: p.joinTx},
		{name: "signals:durable_begin", before: "*", fn: p.durableBegin},
		// gorm:begin_transaction, gorm:before_create
		{name: "signals:pre_save", after: "gorm:before_create", before: "gorm:save_before_associations", fn: p.preSaveCreate},
		// gorm:save_before_associations
		{name: "signals:pre_add", after: "gorm:save_before_associations", before: "gorm:create", fn: p.preAdd},
		{name: "signals:sql_start", after: "gorm:save_before_associations", before: "gorm:create", fn: startSQL},
		// gorm:create
		{name: "signals:sql_end", after: "gorm:create", before: "gorm:save_after_associations", fn: endSQL},
		{name: "signals:m2m_owner", after: "gorm:create", before: "gorm:save_after_associations", fn: ownerCreate},
		// gorm:save_after_associations
		{name: "signals:m2m_owner_end", after: "gorm:save_after_associations", before: "gorm:after_create", fn: p.ownerEnd},
		// gorm:after_create
		{name: "signals:post_save", after: "gorm:after_create", before: "gorm:commit_or_rollback_transaction", fn: p.postSaveCreate},
		{name: "signals:post_add", after: "gorm:after_create", before: "gorm:commit_or_rollback_transaction", fn: p.postM2M},
		// gorm:commit_or_rollback_transaction
		{name: "signals:durable_commit", after: "*", fn: p.durableCommit},
	}
}

// updateHooks are the hooks of the update chain (Save, Update, Updates,
// UpdateColumn, UpdateColumns).
func (p *Plugin) updateHooks() []hook {
	ownerUpdate := func(db *gorm.DB) { p.ownerBegin(db, true) }
	return []hook{
		{name: "signals:join", before: "*", fn: p.joinTx},
		{name: "signals:durable_begin", before: "*", fn: p.durableBegin},
		// gorm:begin_transaction, gorm:setup_reflect_value, gorm:before_update
		{name: "signals:pre_save", after: "gorm:before_update", before: "gorm:save_before_associations", fn: p.preSaveUpdate},
		// gorm:save_before_associations
		{name: "signals:pre_update", after: "gorm:save_before_associations", before: "gorm:update", fn: p.preUpdate},
		{name: "signals:sql_start", after: "gorm:save_before_associations", before: "gorm:update", fn: startSQL},
		// gorm:update
		{name: "signals:sql_end", after: "gorm:update", before: "gorm:save_after_associations", fn: endSQL},
		{name: "signals:post_update", after: "gorm:update", before: "gorm:save_after_associations", fn: p.postUpdate},
		{name: "signals:m2m_owner", after: "gorm:update", before: "gorm:save_after_associations", fn: ownerUpdate},
		// gorm:save_after_associations
		{name: "signals:m2m_owner_end", after: "gorm:save_after_associations", before: "gorm:after_update", fn: p.ownerEnd},
		// gorm:after_update
		{name: "signals:post_save", after: "gorm:after_update", before: "gorm:commit_or_rollback_transaction", fn: p.postSaveUpdate},
		// gorm:commit_or_rollback_transaction
		{name: "signals:durable_commit", after: "*", fn: p.durableCommit},
	}
}

// deleteHooks are the hooks of the delete chain (Delete).
func (p *Plugin) deleteHooks() []hook {
	collect := func(orig func(*gorm.DB)) func(*gorm.DB) { return func(db *gorm.DB) { p.delete(db, orig) } }
	return []hook{
		{name: "signals:join", before: "*", fn: p.joinTx},
		{name: "signals:durable_begin", before: "*", fn: p.durableBegin},
		// gorm:begin_transaction, gorm:before_delete, gorm:delete_before_associations
		{name: "signals:pre_remove", after: "gorm:delete_before_associations", before: "gorm:delete", fn: p.preRemove},
		{name: "signals:sql_start", after: "gorm:delete_before_associations", before: "gorm:delete", fn: startSQL},
		// The collector (delete.go) runs in place of gorm:delete, and
		// calls it for what it does not handle.
		{name: "gorm:delete", replace: collect},
		{name: "signals:sql_end", after: "gorm:delete", before: "gorm:after_delete", fn: endSQL},
		// gorm:after_delete
		{name: "signals:post_remove", after: "gorm:after_delete", before: "gorm:commit_or_rollback_transaction", fn: p.postM2M},
		// gorm:commit_or_rollback_transaction
		{name: "signals:durable_commit", after: "*", fn: p.durableCommit},
	}
}

// registerChain registers the hooks of chain in table order, but for
// those anchored before "*", which lead their tables and are registered
// last first, as GORM puts each one ahead of the others.
func (p *Plugin) registerChain(db *gorm.DB) error {
	for _, ph := range p.chain() {
		proc, err := processorOf(db, ph.proc)
		if err != nil {
			return err
		}
		order := slices.Clone(ph.hooks)
		first := 0
		for first < len(order) && order[first].before == "*" {
			first++
		}
		slices.Reverse(order[:first])
		for _, h := range order {
			if err := proc.register(h); err != nil {
				return fmt.Errorf("signalsgorm: registering %s in the %s chain: %w", h.name, ph.proc, err)
			}
		}
	}
	return nil
}

// gormProcessor is what registration uses of one of GORM's processors,
// whose type is unexported.
type gormProcessor struct {
	get func(name string) func(*gorm.DB)
	at  func(after, before string) gormCallback
}

// gormCallback is a registration in a GORM processor, with its anchors set.
type gormCallback interface {
	Register(name string, fn func(*gorm.DB)) error
	Replace(name string, fn func(*gorm.DB)) error
}

func processorOf(db *gorm.DB, proc string) (gormProcessor, error) {
	cb := db.Callback()
	var p gormProcessor
	switch proc {
	case "create":
		c := cb.Create()
		p = gormProcessor{c.Get, func(a, b string) gormCallback { return c.After(a).Before(b) }}
	case "query":
		c := cb.Query()
		p = gormProcessor{c.Get, func(a, b string) gormCallback { return c.After(a).Before(b) }}
	case "update":
		c := cb.Update()
		p = gormProcessor{c.Get, func(a, b string) gormCallback { return c.After(a).Before(b) }}
	case "delete":
		c := cb.Delete()
		p = gormProcessor{c.Get, func(a, b string) gormCallback { return c.After(a).Before(b) }}
	case "row":
		c := cb.Row()
		p = gormProcessor{c.Get, func(a, b string) gormCallback { return c.After(a).Before(b) }}
	case "raw":
		c := cb.Raw()
		p = gormProcessor{c.Get, func(a, b string) gormCallback { return c.After(a).Before(b) }}
	default:
		return p, fmt.Errorf("signalsgorm: unknown GORM processor %q", proc)
	}
	return p, nil
}

func (p gormProcessor) register(h hook) error {
	if h.replace == nil {
		return p.at(h.after, h.before).Register(h.name, h.fn)
	}
	orig := p.get(h.name)
	if orig == nil {
		return fmt.Errorf("GORM's callback %s not found", h.name)
	}
	return p.at("", "").Replace(h.name, h.replace(orig))
}
