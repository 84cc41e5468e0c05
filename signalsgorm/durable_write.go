package signalsgorm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm/internal/key"
	"github.com/gosignals/signals/signalsgorm/internal/outboxsql"
	"github.com/gosignals/signals/signalsgorm/internal/txpool"
)

// ErrNotAtomic reports a durable receiver's event sent outside any
// transaction, so that its outbox record could not commit or roll back
// with the change. Statements on models with durable receivers open a
// transaction when SkipDefaultTransaction is set; this is left for
// signals sent by hand without one ([NewContext] of a *gorm.DB outside a
// transaction).
var ErrNotAtomic = errors.New("signalsgorm: durable receiver: the event was sent outside a transaction, so its outbox record cannot be atomic with the change (send it inside db.Transaction)")

// processID tells the transactions of this process from those of others in
// an envelope's Tx.
var processID = outbox.NewID()[24:]

const memoKey = "signals:durable_events"

// eventMemo holds the envelopes a statement built, so that every durable
// receiver of one event shares its ID and its encoding.
type eventMemo struct {
	stmt   *gorm.Statement
	events map[eventKey]*pendingEvent
	woken  bool
}

type eventKey struct {
	signal string
	inst   uintptr
}

type pendingEvent struct {
	env     *outbox.Envelope
	payload []byte
	written bool     // a per-event store has its record
	seen    []string // receivers that wrote this event (a few)
}

func (pe *pendingEvent) wrote(name string) bool { return slices.Contains(pe.seen, name) }

// durableWriter is the inline receiver of a durable receiver: it writes
// the event to the outbox of the statement's transaction.
type durableWriter struct {
	name  string
	topic string
}

// write writes the event of inst to the outbox of the transaction of the
// statement that sent it; build makes its envelope, once per event for
// every durable receiver of it.
func (w *durableWriter) write(ctx context.Context, inst any, build func() *outbox.Envelope) error {
	db, ok := ctx.Value(dbKey{}).(*gorm.DB)
	if !ok {
		return fmt.Errorf("signalsgorm: durable receiver %s: %w", w.name, ErrNoDB)
	}
	p := From(db)
	if p == nil {
		return errNotInstalled
	}
	t, inTx := transactionOf(db)
	if !inTx {
		return fmt.Errorf("signalsgorm: durable receiver %s: %w", w.name, ErrNotAtomic)
	}
	memo := memoOf(db.Statement)
	key := eventKey{w.topic, pointerOf(inst)}
	pe := memo.events[key]
	if pe == nil || pe.wrote(w.name) { // a new event (or the same instance sent again)
		var err error
		if pe, err = w.newEvent(ctx, t, inst, build); err != nil {
			return err
		}
		memo.events[key] = pe
	}
	pe.seen = append(pe.seen, w.name)
	store := p.outboxStore()
	if es, ok := store.(*outboxsql.Store); ok && t != nil {
		return w.stage(ctx, p, t, es, pe)
	}
	msg := &outbox.Message{Topic: w.topic, Envelope: pe.env, Payload: pe.payload}
	if store.PerReceiver() {
		msg.ID, msg.Receiver = outbox.NewID(), w.name
	} else {
		if pe.written {
			return nil
		}
		msg.ID = pe.env.ID
	}
	if bs, ok := store.(outbox.BatchStore); ok && t != nil {
		if err := w.stageMessage(ctx, p, t, bs, msg); err != nil {
			return err
		}
		pe.written = true
		return nil
	}
	_, step := signals.StartStep(ctx, signals.StepEnqueue, w.name)
	step.SetDetail("event " + pe.env.ID)
	err := store.Append(ctx, db.Statement.ConnPool, msg)
	step.End(err)
	if err != nil {
		return fmt.Errorf("signalsgorm: durable receiver %s: writing the outbox: %w", w.name, err)
	}
	pe.written = true
	if !memo.woken && t != nil {
		memo.woken = true
		t.Add(&callback{fn: p.wakeWorkers, ctx: context.Background(), origin: p.wakeWorkers})
	}
	return nil
}

// stagedRow is a row of the embedded outbox queued in its transaction:
// the rows of a transaction are written together, in multi-row INSERTs
// (one INSERT on PostgreSQL), just before its commit (flushStaged). Queued
// in the transaction, they follow its savepoints: a rollback to a
// savepoint drops those staged since.
type stagedRow struct {
	outboxsql.Row
	queued
}

// queued makes a staged record a txpool.Item: it keeps the sequence
// number the transaction gave it.
type queued struct{ seq uint64 }

// Queued implements txpool.Item.
func (q *queued) Queued(_, seq uint64) { q.seq = seq }

// Seq implements txpool.Item.
func (q *queued) Seq() uint64 { return q.seq }

func isStaged(it txpool.Item) bool {
	_, ok := it.(*stagedRow)
	return ok
}

// stage queues the event's row for receiver w in transaction t, and makes
// sure t writes its staged rows before it commits.
func (w *durableWriter) stage(ctx context.Context, p *Plugin, t *txConn, es *outboxsql.Store, pe *pendingEvent) error {
	row := &stagedRow{Row: outboxsql.Row{EventID: pe.env.ID, Receiver: w.name, Topic: w.topic, Payload: pe.payload}}
	return w.queue(ctx, t, pe.env.ID, row, es, func() error { return p.flushStaged(ctx, t, es) })
}

// queue puts item in transaction t and registers flush, once per key, to
// write the items of its kind just before t commits.
func (w *durableWriter) queue(ctx context.Context, t *txConn, eventID string, item txpool.Item, key any, flush func() error) error {
	_, step := signals.StartStep(ctx, signals.StepEnqueue, w.name)
	step.SetDetail("event " + eventID)
	defer step.End(nil)
	if t.Add(item) != txpool.Open {
		return fmt.Errorf("signalsgorm: durable receiver %s: %w", w.name, ErrNotAtomic)
	}
	t.BeforeCommit(key, flush)
	return nil
}

// stagedMessage is a record of an outbox.BatchStore queued in its
// transaction, written with the others just before the commit
// (flushMessages); like stagedRow, it follows the savepoints.
type stagedMessage struct {
	msg *outbox.Message
	queued
}

func isStagedMessage(it txpool.Item) bool {
	_, ok := it.(*stagedMessage)
	return ok
}

// stageMessage queues msg for bs in transaction t, and makes sure t hands
// its staged records to bs before it commits.
func (w *durableWriter) stageMessage(ctx context.Context, p *Plugin, t *txConn, bs outbox.BatchStore, msg *outbox.Message) error {
	return w.queue(ctx, t, msg.Envelope.ID, &stagedMessage{msg: msg}, stagedMessagesKey{}, func() error { return p.flushMessages(ctx, t, bs) })
}

// stagedMessagesKey registers flushMessages once per transaction (a store
// need not be comparable).
type stagedMessagesKey struct{}

// flushMessages hands the records staged in t to bs, with t, and queues
// the wake-up of the outbox workers for after the commit.
func (p *Plugin) flushMessages(ctx context.Context, t *txConn, bs outbox.BatchStore) error {
	items := t.Extract(isStagedMessage)
	if len(items) == 0 {
		return nil
	}
	ms := make([]*outbox.Message, len(items))
	for i, it := range items {
		ms[i] = it.(*stagedMessage).msg
	}
	if err := bs.AppendBatch(ctx, t, ms); err != nil {
		return fmt.Errorf("signalsgorm: durable receivers: writing %d outbox records before the commit: %w", len(ms), err)
	}
	t.Add(&callback{fn: p.wakeWorkers, ctx: context.Background(), origin: p.wakeWorkers})
	return nil
}

// flushStaged writes the rows staged in t with t, and queues the wake-up
// of the outbox workers for after the commit.
func (p *Plugin) flushStaged(ctx context.Context, t *txConn, es *outboxsql.Store) error {
	items := t.Extract(isStaged)
	if len(items) == 0 {
		return nil
	}
	rows := make([]outboxsql.Row, len(items))
	for i, it := range items {
		rows[i] = it.(*stagedRow).Row
	}
	sqlDB, _ := p.db.DB()
	if err := es.AppendRows(ctx, sqlDB, t.Tx, rows); err != nil {
		return fmt.Errorf("signalsgorm: durable receivers: writing %d outbox rows before the commit: %w", len(rows), err)
	}
	t.Add(&callback{fn: p.wakeWorkers, ctx: context.Background(), origin: p.wakeWorkers})
	return nil
}

// newEvent builds the envelope of inst's event in transaction t (nil
// outside a plugin transaction) and encodes it.
func (w *durableWriter) newEvent(ctx context.Context, t *txConn, inst any, build func() *outbox.Envelope) (*pendingEvent, error) {
	env := build()
	if env.Instance == nil && !outbox.IsThin(reflect.TypeOf(inst)) {
		// MarshalInstance failed in build (or inst is a nil pointer):
		// do not send an event that silently lacks its instance.
		if _, err := outbox.MarshalInstance(inst); err != nil {
			return nil, fmt.Errorf("signalsgorm: durable receiver %s: encoding the instance: %w", w.name, err)
		}
	}
	env.ID = outbox.NewID()
	env.OccurredAt = time.Now().UTC()
	env.CorrelationID = outbox.CorrelationID(ctx)
	if t != nil {
		env.Tx = processID + "-" + strconv.FormatUint(t.ID(), 10)
		env.Seq = t.Next()
	}
	payload, err := outbox.Encode(env)
	if err != nil {
		return nil, fmt.Errorf("signalsgorm: durable receiver %s: %w", w.name, err)
	}
	return &pendingEvent{env: env, payload: payload}, nil
}

func memoOf(stmt *gorm.Statement) *eventMemo {
	if v, ok := stmt.Settings.Load(memoKey); ok {
		if m := v.(*eventMemo); m.stmt == stmt {
			return m
		}
	}
	m := &eventMemo{stmt: stmt, events: map[eventKey]*pendingEvent{}}
	stmt.Settings.Store(memoKey, m)
	return m
}

func pointerOf(v any) uintptr {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		return rv.Pointer()
	}
	return 0
}

func baseEnvelope(ctx context.Context, signal string, m *modelsignals.Model, using string, inst any) *outbox.Envelope {
	env := &outbox.Envelope{Signal: signal, Using: using}
	if m != nil {
		env.Model, env.Table = m.Label, m.Table
	}
	if env.Model == "" {
		env.Model = modelsignals.LabelOf(reflect.TypeOf(inst))
	}
	if db, ok := ctx.Value(dbKey{}).(*gorm.DB); ok {
		env.PK = pkText(db, inst)
	}
	env.Instance, _ = outbox.MarshalInstance(inst)
	return env
}

func saveEnvelope(ctx context.Context, ev modelsignals.SaveEvent) *outbox.Envelope {
	env := baseEnvelope(ctx, "post_save", ev.Model, ev.Using, ev.Instance)
	env.Created = ev.Created
	env.UpdateFields = ev.UpdateFields
	if len(ev.Changes) > 0 {
		t := reflect.TypeOf(ev.Instance)
		env.Changed = make(map[string]outbox.Change, len(ev.Changes))
		for _, c := range ev.Changes {
			if outbox.Hidden(t, c.Field) {
				continue
			}
			old, err1 := json.Marshal(c.Old)
			nw, err2 := json.Marshal(c.New)
			if err1 == nil && err2 == nil {
				env.Changed[c.Field] = outbox.Change{Old: old, New: nw}
			}
		}
	}
	return env
}

func deleteEnvelope(ctx context.Context, ev modelsignals.DeleteEvent) *outbox.Envelope {
	return baseEnvelope(ctx, "post_delete", ev.Model, ev.Using, ev.Instance)
}

func m2mEnvelope(ctx context.Context, ev modelsignals.M2MEvent) *outbox.Envelope {
	env := baseEnvelope(ctx, "m2m_changed", ev.Model, ev.Using, ev.Instance)
	env.Action, env.Field, env.Reverse = ev.Action.String(), ev.Field, ev.Reverse
	if ev.Related != nil {
		env.Related = ev.Related.Label
	}
	keys := ev.PKSet
	if ev.Action == modelsignals.PostClear {
		keys = ev.Removed
	}
	env.PKSet, _ = json.Marshal(keys)
	return env
}

// pkText returns the primary key of inst as text: the value of a single
// key, a JSON object of the fields of a composite one.
func pkText(db *gorm.DB, inst any) string {
	rv := reflect.ValueOf(inst)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	s := db.Statement.Schema // the statement's own model, most often
	if s == nil || s.ModelType != rv.Type() {
		var err error
		if s, err = parse(db, inst); err != nil {
			return ""
		}
	}
	if len(s.PrimaryFields) == 0 {
		return ""
	}
	vals := key.Values(context.Background(), s.PrimaryFields, rv)
	if len(vals) == 1 {
		return key.Text(vals[0])
	}
	obj := make(map[string]string, len(s.PrimaryFields))
	for i, f := range s.PrimaryFields {
		obj[f.Name] = key.Text(vals[i])
	}
	b, _ := json.Marshal(obj)
	return string(b)
}
