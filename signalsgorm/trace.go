package signalsgorm

import (
	"context"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/gosignals/signals"
)

// Tracing: when a statement's context records a signals trace
// (signals.StartTrace), the SQL each statement runs is recorded in it as a
// step of kind signals.StepSQL, between the signals the statement sends:
// pre_save, SQL, post_save. Nothing is done for statements without a trace
// beyond two atomic loads (one before and one after the SQL).

const sqlStartKey = "signals:sql_start"

// sqlStart is when a statement's SQL started; it is kept in the statement's
// Settings, which nested statements copy, so it names its statement.
type sqlStart struct {
	stmt *gorm.Statement
	at   time.Time
}

// startSQL, right before the callback that runs a statement's SQL (see
// chain.go), notes when the SQL starts.
func startSQL(db *gorm.DB) {
	if db.Error != nil || db.DryRun || signals.TraceFrom(db.Statement.Context) == nil {
		return
	}
	db.Statement.Settings.Store(sqlStartKey, &sqlStart{stmt: db.Statement, at: time.Now()})
}

// endSQL, right after the callback that runs the SQL, records it as a
// step of the trace.
func endSQL(db *gorm.DB) {
	if signals.TraceFrom(db.Statement.Context) == nil {
		return
	}
	v, ok := db.Statement.Settings.Load(sqlStartKey)
	if !ok {
		return
	}
	st := v.(*sqlStart)
	if st.stmt != db.Statement {
		return // the start of an enclosing statement, copied into this one
	}
	db.Statement.Settings.Delete(sqlStartKey)
	sql := db.Statement.SQL.String()
	if sql == "" {
		return // nothing ran (an update with nothing to write)
	}
	detail := ""
	if db.Error == nil && db.RowsAffected >= 0 { // -1: unknown (Row, Rows)
		detail = "rows=" + strconv.FormatInt(db.RowsAffected, 10)
	}
	signals.RecordStep(db.Statement.Context, signals.StepSQL, sql, detail, st.at, db.Error)
}

var errCallbackPanicked = errors.New("panicked")

// traceCallback returns the context and function an on-commit callback
// runs with: when the context it was registered with records a trace, the
// call is a step of kind signals.StepOnCommit, nested where the callback
// was registered (under an after-commit receiver, for AfterCommit).
func traceCallback(ctx context.Context, cb *callback) (context.Context, func(context.Context) error) {
	ctx, step := signals.StartStep(ctx, signals.StepOnCommit, cb.name())
	if step == nil {
		return ctx, cb.fn
	}
	return ctx, func(ctx context.Context) (err error) {
		done := false
		defer func() {
			if !done {
				step.End(errCallbackPanicked) // the panic goes on
			}
		}()
		err = cb.fn(ctx)
		done = true
		step.End(err)
		return err
	}
}
