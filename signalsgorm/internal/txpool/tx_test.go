package txpool

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/dbtest"
)

// item is an Item that records where it was queued.
type item struct {
	name    string
	tx, seq uint64
}

func (it *item) Queued(tx, seq uint64) { it.tx, it.seq = tx, seq }
func (it *item) Seq() uint64           { return it.seq }

// fakeTx is a driver transaction whose commit fails with commitErr.
type fakeTx struct {
	gorm.Tx
	commitErr          error
	commits, rollbacks int
}

func (f *fakeTx) Commit() error   { f.commits++; return f.commitErr }
func (f *fakeTx) Rollback() error { f.rollbacks++; return nil }

// newTestTx returns a Tx on a fake driver transaction and the items its
// commits handed over.
func newTestTx(mysql bool) (*Tx, *fakeTx, *[]string) {
	var ran []string
	p := &Pool{mysql: mysql, committed: func(items []Item) error {
		for _, it := range items {
			ran = append(ran, it.(*item).name)
		}
		return nil
	}}
	f := &fakeTx{}
	return newTx(p, f), f, &ran
}

func names(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.(*item).name)
	}
	return out
}

func checkNames(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: %q, want %q", what, got, want)
	}
}

func TestCommitHandsItemsOverInOrder(t *testing.T) {
	tx, f, ran := newTestTx(false)
	a, b := &item{name: "a"}, &item{name: "b"}
	for _, it := range []*item{a, b} {
		if st := tx.Add(it); st != Open {
			t.Fatalf("Add = %v, want open", st)
		}
	}
	if a.tx != tx.ID() || a.seq != 1 || b.seq != 2 {
		t.Errorf("queued as (tx %d, seq %d), (seq %d); want (tx %d, 1), (2)", a.tx, a.seq, b.seq, tx.ID())
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	checkNames(t, "committed", *ran, []string{"a", "b"})
	if f.commits != 1 {
		t.Errorf("%d driver commits", f.commits)
	}
	if st := tx.Add(&item{name: "late"}); st != Committed {
		t.Errorf("Add after the commit = %v, want committed", st)
	}
	if tx.Commit(); len(*ran) != 2 {
		t.Errorf("a second commit handed over %q", *ran)
	}
}

func TestRollbackDropsItems(t *testing.T) {
	tx, f, ran := newTestTx(false)
	tx.Add(&item{name: "a"})
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if len(*ran) != 0 || f.rollbacks != 1 {
		t.Errorf("ran %q, %d driver rollbacks", *ran, f.rollbacks)
	}
	if st := tx.Add(&item{name: "b"}); st != RolledBack {
		t.Errorf("Add after the rollback = %v, want rolled back", st)
	}
}

func TestFailedCommitDropsItems(t *testing.T) {
	tx, f, ran := newTestTx(false)
	f.commitErr = errors.New("serialization failure")
	tx.Add(&item{name: "a"})
	if err := tx.Commit(); !errors.Is(err, f.commitErr) {
		t.Fatalf("Commit = %v", err)
	}
	if len(*ran) != 0 {
		t.Errorf("a failed commit handed over %q", *ran)
	}
	if st := tx.Add(&item{name: "b"}); st != RolledBack {
		t.Errorf("Add after a failed commit = %v, want rolled back", st)
	}
}

func TestCommittedErrorIsTheCommits(t *testing.T) {
	errRun := errors.New("callback failed")
	p := &Pool{committed: func([]Item) error { return errRun }}
	tx := newTx(p, &fakeTx{})
	if err := tx.Commit(); err != nil {
		t.Fatalf("Commit with nothing queued = %v", err)
	}
	tx = newTx(p, &fakeTx{})
	tx.Add(&item{name: "a"})
	if err := tx.Commit(); !errors.Is(err, errRun) {
		t.Fatalf("Commit = %v, want the committed function's error", err)
	}
}

func TestTakeRemovesFromMark(t *testing.T) {
	tx, _, ran := newTestTx(false)
	tx.Add(&item{name: "before"})
	mark := tx.Mark()
	tx.Add(&item{name: "a"})
	tx.Add(&item{name: "b"})
	checkNames(t, "taken", names(tx.Take(mark)), []string{"a", "b"})
	checkNames(t, "taken again", names(tx.Take(mark)), nil)
	tx.Add(&item{name: "after"})
	tx.Commit()
	checkNames(t, "committed", *ran, []string{"before", "after"})
}

func TestNextAndIDs(t *testing.T) {
	tx1, _, _ := newTestTx(false)
	tx2, _, _ := newTestTx(false)
	if tx1.ID() == tx2.ID() || tx2.ID() < tx1.ID() {
		t.Errorf("IDs %d, %d: want unique and growing", tx1.ID(), tx2.ID())
	}
	if a, b, c := tx1.Next(), tx1.Next(), tx2.Next(); a != 1 || b != 2 || c != 1 {
		t.Errorf("sequences %d, %d and %d; want 1, 2 and 1", a, b, c)
	}
}

func TestStateString(t *testing.T) {
	for st, want := range map[State]string{Open: "open", Committed: "committed", RolledBack: "rolled back"} {
		if st.String() != want {
			t.Errorf("%d: %q", st, st.String())
		}
	}
}

// Of, on a real database: the Tx of a transaction and of its nested
// transactions, none outside.
func TestOf(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	if Install(db, func([]Item) error { return nil }) == nil {
		t.Fatal("Install on a *sql.DB returned nil")
	}
	if tx, inTx := Of(db); tx != nil || inTx {
		t.Fatal("the root *gorm.DB is in a transaction")
	}
	if _, inTx := Of(nil); inTx {
		t.Fatal("Of(nil) is in a transaction")
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		t1, inTx := Of(tx)
		if t1 == nil || !inTx {
			t.Fatal("no Tx in Transaction")
		}
		if _, err := tx.DB(); err != nil {
			t.Errorf("DB() in a transaction: %v", err)
		}
		return tx.Transaction(func(tx *gorm.DB) error {
			if t2, _ := Of(tx); t2 != t1 {
				t.Error("a nested Transaction has another Tx")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInstall(t *testing.T) {
	t.Run("twice", func(t *testing.T) {
		db := dbtest.Open(t, "sqlite")
		p := Install(db, nil)
		if q := Install(db, nil); q != p {
			t.Error("a second Install wrapped the pool again")
		}
		if db.ConnPool != p || db.Statement.ConnPool != p {
			t.Error("the pool is not db's")
		}
		if err := p.Ping(); err != nil {
			t.Error(err)
		}
	})
	t.Run("PrepareStmt", func(t *testing.T) {
		db := dbtest.OpenConfig(t, "sqlite", prepared())
		p := Install(db, nil)
		ps, ok := db.ConnPool.(*gorm.PreparedStmtDB)
		if !ok || ps.ConnPool != p {
			t.Fatalf("ConnPool %T: want the pool inside GORM's PreparedStmtDB", db.ConnPool)
		}
		if q := Install(db, nil); q != p {
			t.Error("a second Install wrapped the pool again")
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if t1, _ := Of(tx); t1 == nil {
				t.Error("no Tx under PreparedStmtTX")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no transactions", func(t *testing.T) {
		db := dbtest.Open(t, "sqlite")
		db.ConnPool = noBegin{}
		if p := Install(db, nil); p != nil || db.ConnPool != (noBegin{}) {
			t.Error("Install wrapped a pool that cannot begin transactions")
		}
	})
}

// noBegin is a connection pool that cannot begin transactions.
type noBegin struct{}

func (noBegin) PrepareContext(context.Context, string) (*sql.Stmt, error) { return nil, nil }
func (noBegin) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, nil
}
func (noBegin) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, nil
}
func (noBegin) QueryRowContext(context.Context, string, ...any) *sql.Row { return nil }

func prepared() *gorm.Config {
	cfg := dbtest.Config()
	cfg.PrepareStmt = true
	return cfg
}
