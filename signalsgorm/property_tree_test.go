package signalsgorm_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A random transaction tree for the property test: how its top level runs,
// and a body of operations that nest.

type topMode uint8

const (
	modeTransaction topMode = iota // db.Transaction(fn)
	modeBegin                      // db.Begin(), then Commit or Rollback
	modeImplicit                   // no transaction: each write in its own (GORM's default)
	modeAutocommit                 // no transaction at all (SkipDefaultTransaction)
)

var modeNames = [...]string{"Transaction", "Begin", "implicit", "autocommit"}

type opKind uint8

const (
	opCreate    opKind = iota // Create a Tag (receivers: pre_save, after-commit post_save, audit post_save, post_save)
	opOnCommit                // OnCommit of a callback
	opNested                  // a nested db.Transaction (a transaction of its own at the top of an implicit/autocommit tree)
	opSavepoint               // tx.SavePoint, the body, then tx.RollbackTo or not
)

type op struct {
	kind  opKind
	label string
	// opCreate: the pre_save or the post_save receiver fails, the
	// after-commit receiver fails (logged only); propagate: the body
	// returns the Create's error, which ends its scope with an error.
	failPre, failPost, acFail, propagate bool
	// opCreate: what the audit receiver does besides writing its entry
	// through the application's *gorm.DB with its context.
	nested nestedAudit
	// opOnCommit: the callback fails; it is fail-fast.
	cbFail, failFast bool
	// opNested, opSavepoint: the operations inside; rollback: the scope
	// ends with an error (RollbackTo for opSavepoint).
	body     []op
	rollback bool
}

// nestedAudit is what the audit receiver runs, besides writing its entry,
// in a db.Transaction of its own, through the application's *gorm.DB: a
// savepoint of the statement's transaction when it has one.
type nestedAudit uint8

const (
	nestNone nestedAudit = iota
	nestOK               // a second entry and an OnCommit callback, "nc:"
	nestFail             // the same, then an error: rolled back alone
)

type tree struct {
	id       int
	mode     topMode
	body     []op
	rollback bool // Transaction/Begin: end with an error / Rollback
}

// genTree draws a tree. n counts labels within the tree.
func genTree(id int, r *rand.Rand) tree {
	t := tree{id: id, mode: topMode(r.IntN(4)), rollback: r.IntN(5) == 0}
	n := 0
	buffered := t.mode == modeTransaction || t.mode == modeBegin
	t.body = genBody(id, &n, r, 0, buffered)
	return t
}

func genBody(id int, n *int, r *rand.Rand, depth int, buffered bool) []op {
	ops := make([]op, 1+r.IntN(4))
	for i := range ops {
		*n++
		o := op{label: fmt.Sprintf("T%d-%d", id, *n)}
		switch k := r.IntN(10); {
		case k < 4 || depth >= 3:
			o.kind = opCreate
			switch f := r.IntN(10); {
			case f == 0:
				o.failPre = true
			case f <= 2:
				o.failPost = true
			}
			o.acFail = r.IntN(8) == 0
			o.nested = nestedAudit(r.IntN(4) % 3)
			o.propagate = r.IntN(2) == 0
			o.label += createFlags(o)
		case k < 7:
			o.kind = opOnCommit
			o.cbFail = r.IntN(6) == 0
			o.failFast = r.IntN(3) == 0
		case k < 9 || !buffered:
			o.kind = opNested
			o.rollback = r.IntN(3) == 0
			o.body = genBody(id, n, r, depth+1, true)
		default:
			o.kind = opSavepoint
			o.rollback = r.IntN(2) == 0
			o.body = genBody(id, n, r, depth+1, true)
		}
		ops[i] = o
	}
	return ops
}

// createFlags encodes in the label what the receivers do with it.
func createFlags(o op) string {
	var s string
	if o.failPre {
		s += "+pre"
	}
	if o.failPost {
		s += "+post"
	}
	if o.acFail {
		s += "+acf"
	}
	switch o.nested {
	case nestOK:
		s += "+nok"
	case nestFail:
		s += "+nfail"
	}
	return s
}

func (t tree) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tree %d: %s rollback=%v\n", t.id, modeNames[t.mode], t.rollback)
	writeOps(&b, t.body, 1)
	return b.String()
}

func writeOps(b *strings.Builder, ops []op, depth int) {
	ind := strings.Repeat("  ", depth)
	for _, o := range ops {
		switch o.kind {
		case opCreate:
			fmt.Fprintf(b, "%sCreate %s propagate=%v\n", ind, o.label, o.propagate)
		case opOnCommit:
			fmt.Fprintf(b, "%sOnCommit %s fail=%v failFast=%v\n", ind, o.label, o.cbFail, o.failFast)
		case opNested:
			fmt.Fprintf(b, "%sTransaction %s rollback=%v\n", ind, o.label, o.rollback)
			writeOps(b, o.body, depth+1)
		case opSavepoint:
			fmt.Fprintf(b, "%sSavePoint %s rollback=%v\n", ind, o.label, o.rollback)
			writeOps(b, o.body, depth+1)
		}
	}
}
