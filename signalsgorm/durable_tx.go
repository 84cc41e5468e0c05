package signalsgorm

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
)

// durableState is the plugin's part of durable receivers.
type durableState struct {
	store     outbox.Store // WithOutbox, or the embedded table store
	storeOnce sync.Once
	mu        sync.Mutex
	notify    map[*chan<- struct{}]chan<- struct{} // NotifyOutbox's channels
	open      atomic.Int64                         // transactions durableBegin began and durableCommit has not ended
}

// WithOutbox makes durable receivers write their events to store (for
// example the Watermill SQL outbox of package signalswatermill) instead of
// the embedded outbox table.
func WithOutbox(store outbox.Store) Option {
	return func(p *Plugin) {
		if store == nil {
			p.err = errors.New("signalsgorm: WithOutbox: nil store")
			return
		}
		p.durable.store = store
	}
}

func (p *Plugin) outboxStore() outbox.Store {
	p.durable.storeOnce.Do(func() {
		if p.durable.store == nil {
			p.durable.store = outboxsql.NewStore(p.db.Dialector.Name())
		}
	})
	return p.durable.store
}

// NotifyOutbox makes the plugin send on c, without blocking, after each
// commit of a transaction that wrote durable receivers' events, so that
// the workers of an outbox deliver them at once instead of at their next
// poll (package outboxgorm's workers use it). It returns a function that
// stops the notifications.
func (p *Plugin) NotifyOutbox(c chan<- struct{}) (stop func()) {
	key := &c
	p.durable.mu.Lock()
	if p.durable.notify == nil {
		p.durable.notify = map[*chan<- struct{}]chan<- struct{}{}
	}
	p.durable.notify[key] = c
	p.durable.mu.Unlock()
	return func() {
		p.durable.mu.Lock()
		delete(p.durable.notify, key)
		p.durable.mu.Unlock()
	}
}

// wakeWorkers sends the notifications of NotifyOutbox: a transaction that
// wrote outbox rows committed.
func (p *Plugin) wakeWorkers(context.Context) error {
	p.durable.mu.Lock()
	defer p.durable.mu.Unlock()
	for _, c := range p.durable.notify {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	return nil
}

const durableTxKey = "signals:durable_tx"

// durableBegin, first in the create, update and delete chains, makes the
// writes of models with durable receivers run in a transaction when
// SkipDefaultTransaction is set, so that the outbox record commits with
// the change: GORM's own transaction callbacks do nothing then (GORM does
// not even register them). durableCommit, last in the chain, ends it.
func (p *Plugin) durableBegin(db *gorm.DB) {
	if !db.SkipDefaultTransaction || db.Error != nil || db.DryRun || db.Statement.Schema == nil ||
		!durableModels.has(db.Statement.Schema.ModelType) {
		return
	}
	if _, inTx := transactionOf(db); inTx {
		return
	}
	tx := db.Session(&gorm.Session{NewDB: true, SkipDefaultTransaction: false}).Begin()
	if tx.Error != nil {
		db.AddError(tx.Error)
		return
	}
	db.InstanceSet(durableTxKey, db.Statement.ConnPool)
	db.Statement.ConnPool = tx.Statement.ConnPool
	p.durable.open.Add(1)
}

// durableCommit commits the transaction durableBegin began, or rolls it
// back if the statement failed. Without SkipDefaultTransaction, or while
// no such transaction is open, it has nothing to look up.
func (p *Plugin) durableCommit(db *gorm.DB) {
	if !db.SkipDefaultTransaction || p.durable.open.Load() == 0 {
		return
	}
	v, ok := db.InstanceGet(durableTxKey)
	if !ok {
		return
	}
	p.durable.open.Add(-1)
	saved := v.(gorm.ConnPool)
	if c, ok := db.Statement.ConnPool.(gorm.TxCommitter); ok {
		if db.Error != nil {
			_ = c.Rollback()
		} else if err := c.Commit(); err != nil {
			db.AddError(err)
		}
	}
	db.Statement.ConnPool = saved
}
