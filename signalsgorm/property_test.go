package signalsgorm_test

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosignals/signals/internal/longtest"

	"gorm.io/gorm"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/signalsgorm"
)

// Trees per database; -short runs a tenth, the race detector a quarter on
// SQLite.
const propertyTrees = 2000

// The property test: thousands of random transaction trees (nested
// Transactions, manual savepoints, commits, rollbacks, failing receivers
// and callbacks), run by several goroutines at once. For each tree the
// callbacks run (and when: "end" marks the end of the transaction's
// function, before its commit) must be exactly those the reference model
// predicts, the top level must end as predicted, and the rows stored must
// be the ones it predicts.
func TestOnCommitProperty(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("SIGNALS_PROPERTY_SEED"), 10, 64); err == nil {
		seed = s
	}
	each(t, func(t *testing.T, dialect string) {
		trees := propertyTrees
		if !longtest.Enabled() {
			trees /= 10
		} else if raceEnabled && dialect == "sqlite" {
			trees /= 4 // the race detector slows the pure-Go SQLite down most
		}
		db := open(t, dialect, signalsgorm.Logger(slog.New(slog.DiscardHandler)))
		if err := db.AutoMigrate(&AuditEntry{}); err != nil {
			t.Fatal(err)
		}
		pr := &propRun{db: db, apps: [2]*gorm.DB{db, db.Session(&gorm.Session{PrepareStmt: true})}}
		pr.connect(t)
		workers := 4
		var wg sync.WaitGroup
		var failed sync.Once
		for w := range workers {
			// Half the workers use prepared statements.
			db := db
			if w%2 == 1 {
				db = db.Session(&gorm.Session{PrepareStmt: true})
			}
			wg.Go(func() {
				for i := w; i < trees; i += workers {
					r := rand.New(rand.NewPCG(seed, uint64(i)))
					tr := genTree(i, r)
					if msg := pr.check(db, tr); msg != "" {
						failed.Do(func() {
							t.Errorf("SIGNALS_PROPERTY_SEED=%d, %s%s", seed, tr, msg)
						})
						return
					}
				}
			})
		}
		wg.Wait()
		t.Logf("%d trees, seed %d: %d committed, %d rolled back, %d with a fail-fast callback error; %d callbacks run, %d rows",
			trees, seed, pr.outcomes[outCommitted].Load(), pr.outcomes[outRolledBack].Load(), pr.outcomes[outCallbackError].Load(),
			pr.ran.Load(), pr.rows.Load())
		if pr.outcomes[outCallbackError].Load() == 0 || pr.outcomes[outRolledBack].Load() == 0 {
			t.Error("the trees drawn do not cover every outcome")
		}
	})
}

// propRun runs trees on one database.
type propRun struct {
	db    *gorm.DB    // for reading rows
	apps  [2]*gorm.DB // what the audit receiver writes through, by tree: db, and a session with PrepareStmt
	calls sync.Map    // tree id → *calls

	outcomes  [3]atomic.Int64
	ran, rows atomic.Int64
}

// record records label ("ac:T12-3", "cb:T12-4") for its tree.
func (pr *propRun) record(label string) {
	_, rest, _ := strings.Cut(label, "T")
	id, _, _ := strings.Cut(rest, "-")
	n, _ := strconv.Atoi(id)
	pr.add(n, label)
}

func (pr *propRun) add(tree int, s string) {
	c, _ := pr.calls.LoadOrStore(tree, &calls{})
	c.(*calls).Add(s)
}

// connect connects the receivers: pre_save and post_save fail on the labels
// that say so; the after-commit receiver, connected first, records "ac:"
// and the label; the audit receiver, connected next, writes an entry
// through the application's *gorm.DB with its context, so in the
// statement's transaction, and runs the nested transaction the label
// says.
func (pr *propRun) connect(t *testing.T) {
	h := signalsgorm.AfterCommit(modelsignals.OnPostSave, func(_ context.Context, ev modelsignals.Save[Tag]) error {
		pr.record("ac:" + ev.Instance.Name)
		if strings.Contains(ev.Instance.Name, "+acf") {
			return errForced
		}
		return nil
	})
	t.Cleanup(func() { h.Disconnect() })
	ha := modelsignals.OnPostSave(func(ctx context.Context, ev modelsignals.Save[Tag]) error {
		return pr.audit(ctx, ev.Instance.Name)
	})
	t.Cleanup(func() { ha.Disconnect() })
	failOn := func(flag string) func(context.Context, modelsignals.Save[Tag]) error {
		return func(_ context.Context, ev modelsignals.Save[Tag]) error {
			if strings.Contains(ev.Instance.Name, flag) {
				return errForced
			}
			return nil
		}
	}
	for _, h := range []interface{ Disconnect() bool }{modelsignals.OnPreSave(failOn("+pre")), modelsignals.OnPostSave(failOn("+post"))} {
		t.Cleanup(func() { h.Disconnect() })
	}
}

// audit is the audit receiver for the tag label.
func (pr *propRun) audit(ctx context.Context, label string) error {
	_, rest, _ := strings.Cut(label, "T")
	id, _, _ := strings.Cut(rest, "-")
	n, _ := strconv.Atoi(id)
	app := pr.apps[n%2].WithContext(ctx)
	if err := app.Create(&AuditEntry{Note: label}).Error; err != nil {
		return err
	}
	if !strings.Contains(label, "+nok") && !strings.Contains(label, "+nfail") {
		return nil
	}
	err := app.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&AuditEntry{Note: label + "/n"}).Error; err != nil {
			return err
		}
		if err := signalsgorm.OnCommit(tx, func(context.Context) error { pr.record("nc:" + label); return nil }); err != nil {
			return err
		}
		if strings.Contains(label, "+nfail") {
			return errForced
		}
		return nil
	})
	if errors.Is(err, errForced) {
		return nil
	}
	return err
}

// check runs tr and compares it with the model; it returns a description of
// the difference, or "".
func (pr *propRun) check(db *gorm.DB, tr tree) string {
	var m model
	want := m.run(tr)
	got, err := pr.run(db, tr)
	var ce *signalsgorm.CallbackError
	switch {
	case err != nil && got == outCommitted:
		return "unexpected error: " + err.Error()
	case got == outCallbackError && !errors.As(err, &ce):
		return "error is not a CallbackError: " + err.Error()
	}
	var ran []string
	if c, ok := pr.calls.LoadAndDelete(tr.id); ok {
		ran = c.(*calls).Take()
	}
	var rows []string
	if err := pr.db.Model(&Tag{}).Where("name LIKE ?", "T"+strconv.Itoa(tr.id)+"-%").Pluck("name", &rows).Error; err != nil {
		return "reading rows: " + err.Error()
	}
	var audits []string
	if err := pr.db.Model(&AuditEntry{}).Where("note LIKE ?", "T"+strconv.Itoa(tr.id)+"-%").Pluck("note", &audits).Error; err != nil {
		return "reading audit entries: " + err.Error()
	}
	wantAudits := auditsOf(m.rows)
	slices.Sort(rows)
	slices.Sort(m.rows)
	slices.Sort(audits)
	slices.Sort(wantAudits)
	pr.outcomes[want].Add(1)
	for _, s := range m.ran {
		if s != "end" {
			pr.ran.Add(1)
		}
	}
	pr.rows.Add(int64(len(m.rows)))
	var diff []string
	if got != want {
		diff = append(diff, "outcome "+strconv.Itoa(int(got))+", model "+strconv.Itoa(int(want)))
	}
	if !slices.Equal(ran, m.ran) {
		diff = append(diff, "callbacks run "+strings.Join(ran, " ")+"\n  model       "+strings.Join(m.ran, " "))
	}
	if !slices.Equal(rows, m.rows) {
		diff = append(diff, "rows  "+strings.Join(rows, " ")+"\n  model "+strings.Join(m.rows, " "))
	}
	if !slices.Equal(audits, wantAudits) {
		diff = append(diff, "audit entries "+strings.Join(audits, " ")+"\n  model         "+strings.Join(wantAudits, " "))
	}
	return strings.Join(diff, "\n")
}

// run executes tr on db.
func (pr *propRun) run(db *gorm.DB, tr tree) (outcome, error) {
	end := func() { pr.add(tr.id, "end") }
	var err error
	switch tr.mode {
	case modeImplicit:
		pr.body(db, tr.body, false)
		return outCommitted, nil
	case modeAutocommit:
		pr.body(db.Session(&gorm.Session{SkipDefaultTransaction: true}), tr.body, false)
		return outCommitted, nil
	case modeTransaction:
		err = db.Transaction(func(tx *gorm.DB) error {
			err := pr.body(tx, tr.body, true)
			end()
			if err == nil && tr.rollback {
				err = errForced
			}
			return err
		})
	case modeBegin:
		tx := db.Begin()
		err = pr.body(tx, tr.body, true)
		end()
		if err != nil || tr.rollback {
			tx.Rollback()
			return outRolledBack, nil
		}
		err = tx.Commit().Error
	}
	var ce *signalsgorm.CallbackError
	switch {
	case err == nil:
		return outCommitted, nil
	case errors.As(err, &ce):
		return outCallbackError, err
	case errors.Is(err, errForced):
		return outRolledBack, nil
	}
	return outCommitted, err
}

// body runs ops on tx; inTx: tx is in a transaction, and an error ends it.
func (pr *propRun) body(tx *gorm.DB, ops []op, inTx bool) error {
	for _, o := range ops {
		switch o.kind {
		case opCreate:
			if err := tx.Create(&Tag{Name: o.label}).Error; err != nil && o.propagate && inTx {
				return err
			}
		case opOnCommit:
			var opts []signalsgorm.CommitOption
			if o.failFast {
				opts = append(opts, signalsgorm.FailFast())
			}
			label, fail := "cb:"+o.label, o.cbFail
			signalsgorm.OnCommit(tx, func(context.Context) error {
				pr.record(label)
				if fail {
					return errForced
				}
				return nil
			}, opts...)
		case opNested:
			tx.Transaction(func(tx *gorm.DB) error {
				if err := pr.body(tx, o.body, true); err != nil {
					return err
				}
				if o.rollback {
					return errForced
				}
				return nil
			})
		case opSavepoint:
			name := "m" + strings.ReplaceAll(o.label, "-", "_")
			tx.SavePoint(name)
			if err := pr.body(tx, o.body, true); err != nil || o.rollback {
				tx.RollbackTo(name)
			}
		}
	}
	return nil
}
