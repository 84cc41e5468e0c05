package signalsgorm_test

import "strings"

// The reference model of the property test. It knows nothing of savepoint
// marks or of the plugin: each scope (a transaction, a savepoint) collects
// its effects; a scope that fails discards them with those of every scope
// inside it; one that succeeds hands them to its parent; the outermost
// commit applies them: rows are stored, callbacks run in order. Outside a
// transaction effects apply at once.

// The audit receiver's entries are not modelled: they are written in the
// statement's transaction, so they are exactly the rows that commit, with
// a second entry for those of nestOK (see auditsOf).

// effect is a row written or a callback registered.
type effect struct {
	row      string
	cb       string // the label the callback records
	failFast bool   // a fail-fast callback that fails
}

type outcome uint8

const (
	outCommitted outcome = iota
	outRolledBack
	outCallbackError // committed, and a fail-fast callback failed
)

type model struct {
	rows []string // committed
	ran  []string // callbacks run, in order
}

// run predicts a tree; the outcome is that of its top level (for the
// Transaction and Begin modes).
func (m *model) run(t tree) outcome {
	switch t.mode {
	case modeImplicit, modeAutocommit:
		m.root(t.body, t.mode == modeImplicit)
		return outCommitted
	}
	var effects []effect
	failed := m.scope(&effects, t.body) || t.rollback
	m.ran = append(m.ran, "end")
	if failed {
		return outRolledBack
	}
	if m.commit(effects) {
		return outCallbackError
	}
	return outCommitted
}

// root runs ops outside a transaction. implicit: each Create runs in a
// transaction of its own.
func (m *model) root(ops []op, implicit bool) {
	for _, o := range ops {
		switch o.kind {
		case opCreate:
			if o.failPre {
				continue
			}
			// The after-commit and the audit receivers run before the
			// inline post_save receiver, which may fail.
			e := createEffects(o)
			if implicit && o.failPost {
				continue // the statement's transaction rolls back
			}
			m.commit(e)
		case opOnCommit:
			m.commit([]effect{callbackEffect(o)})
		case opNested:
			var effects []effect
			if !m.scope(&effects, o.body) && !o.rollback {
				m.commit(effects)
			}
		}
	}
}

// createEffects are the effects of a Create that its pre_save receiver
// let through: the row, the after-commit receiver's call, and the
// callback of the audit receiver's nested transaction that commits.
func createEffects(o op) []effect {
	e := []effect{{row: o.label}, {cb: "ac:" + o.label}}
	if o.nested == nestOK {
		e = append(e, effect{cb: "nc:" + o.label})
	}
	return e
}

// auditsOf returns the audit entries rows predict.
func auditsOf(rows []string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r)
		if strings.Contains(r, "+nok") {
			out = append(out, r+"/n")
		}
	}
	return out
}

func callbackEffect(o op) effect {
	return effect{cb: "cb:" + o.label, failFast: o.cbFail && o.failFast}
}

// scope runs ops in a transaction or savepoint, adding their effects to
// *effects; it reports whether the scope ends with an error.
func (m *model) scope(effects *[]effect, ops []op) (failed bool) {
	for _, o := range ops {
		switch o.kind {
		case opCreate:
			if o.failPre {
				if o.propagate {
					return true
				}
				continue
			}
			*effects = append(*effects, createEffects(o)...)
			if o.failPost && o.propagate {
				return true
			}
		case opOnCommit:
			*effects = append(*effects, callbackEffect(o))
		case opNested, opSavepoint:
			var inner []effect
			if !m.scope(&inner, o.body) && !o.rollback {
				*effects = append(*effects, inner...)
			}
		}
	}
	return false
}

// commit applies effects as a commit does. It reports whether a fail-fast
// callback failed, which discards the callbacks after it.
func (m *model) commit(effects []effect) (callbackError bool) {
	for _, e := range effects {
		if e.row != "" {
			m.rows = append(m.rows, e.row)
		}
	}
	for _, e := range effects {
		if e.cb == "" {
			continue
		}
		m.ran = append(m.ran, e.cb)
		if e.failFast {
			return true
		}
	}
	return false
}
