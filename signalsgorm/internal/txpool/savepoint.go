package txpool

import "strings"

// Op is a savepoint statement.
type Op uint8

// The savepoint statements.
const (
	NotSavepoint Op = iota
	Set             // SAVEPOINT name
	RollbackTo      // ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] name
	Release         // RELEASE [SAVEPOINT] name
)

// savepoint records a SAVEPOINT and the sequence number the first item
// queued after it would have: rolling back to it drops every item
// numbered from mark on.
type savepoint struct {
	name string
	mark uint64
}

// Savepoint applies a savepoint statement that succeeded in the
// transaction, with SQL's semantics: ROLLBACK TO undoes everything done
// since the savepoint, so the items queued since are dropped, whatever the
// nesting, and the savepoints set after it are destroyed; RELEASE destroys
// the savepoint and those set after it and keeps the items. Names are
// looked up from the most recent savepoint. MySQL replaces a savepoint of
// the same name; the other databases hide it until the newer one is
// released. A name that was not set through this Tx is ignored.
func (t *Tx) Savepoint(op Op, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if op == Set {
		if t.pool.mysql {
			t.savepoints = deleteName(t.savepoints, name)
		}
		t.savepoints = append(t.savepoints, savepoint{name: name, mark: t.seq + 1})
		return
	}
	i := len(t.savepoints) - 1
	for i >= 0 && t.savepoints[i].name != name {
		i--
	}
	switch {
	case i < 0, op == NotSavepoint:
		return
	case op == Release:
		t.savepoints = t.savepoints[:i]
		return
	}
	t.savepoints = t.savepoints[:i+1]
	j := t.cut(t.savepoints[i].mark)
	clear(t.items[j:])
	t.items = t.items[:j]
}

func deleteName(sps []savepoint, name string) []savepoint {
	for i, sp := range sps {
		if sp.name == name {
			return append(sps[:i], sps[i+1:]...)
		}
	}
	return sps
}

// MaybeSavepoint is the fast test to run on every statement before
// [ParseSavepoint]: savepoint statements start with S, R, s or r after
// blanks. It answers true for anything ParseSavepoint may recognise
// (non-ASCII bytes may be Unicode blanks).
func MaybeSavepoint(q string) bool {
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == ' ' || c >= '\t' && c <= '\r':
			continue
		case c == 'S' || c == 's' || c == 'R' || c == 'r' || c >= 0x80:
			return true
		}
		return false
	}
	return false
}

// ParseSavepoint recognises the savepoint statements of SQLite, PostgreSQL
// and MySQL/MariaDB, as GORM's dialectors and users write them. It returns
// the operation and the savepoint's name: unquoted names are folded to
// lower case (all three databases compare them without regard to case),
// quoted ones ("x", `x`) are kept as written.
func ParseSavepoint(q string) (Op, string) {
	words := strings.Fields(strings.TrimRight(strings.TrimSpace(q), "; \t\r\n"))
	if len(words) < 2 {
		return NotSavepoint, ""
	}
	var op Op
	rest := words[1:]
	switch {
	case strings.EqualFold(words[0], "SAVEPOINT"):
		op = Set
	case strings.EqualFold(words[0], "RELEASE"):
		op = Release
		rest = skipWord(rest, "SAVEPOINT")
	case strings.EqualFold(words[0], "ROLLBACK"):
		op = RollbackTo
		rest = skipWord(skipWord(rest, "WORK"), "TRANSACTION")
		if len(rest) == 0 || !strings.EqualFold(rest[0], "TO") {
			return NotSavepoint, "" // a plain ROLLBACK
		}
		rest = skipWord(rest[1:], "SAVEPOINT")
	default:
		return NotSavepoint, ""
	}
	if len(rest) != 1 {
		return NotSavepoint, ""
	}
	return op, savepointName(rest[0])
}

func skipWord(words []string, w string) []string {
	if len(words) > 1 && strings.EqualFold(words[0], w) {
		return words[1:]
	}
	return words
}

func savepointName(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '`' && s[len(s)-1] == '`') {
		return s[1 : len(s)-1]
	}
	return strings.ToLower(s)
}
