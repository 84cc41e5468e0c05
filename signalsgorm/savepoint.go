package signalsgorm

import (
	"strings"

	"gorm.io/gorm"
)

// registerSavepoints follows the savepoint statements GORM executes: those
// of nested Transaction calls, SavePoint and RollbackTo (which the
// dialectors run with Exec), and users' own. It watches the Raw processor,
// which runs every Exec whatever the connection pool (prepared statements
// included), rather than the transaction's ExecContext, which
// prepared-statement sessions bypass; statements that are not Exec pay
// nothing.
func (p *Plugin) registerSavepoints(db *gorm.DB) error {
	return register(db, hook{"raw", "signals:savepoint", "gorm:raw", "", p.followSavepoint})
}

func (p *Plugin) followSavepoint(db *gorm.DB) {
	if db.Error != nil || db.DryRun {
		return
	}
	q := db.Statement.SQL.String()
	if !maybeSavepoint(q) {
		return
	}
	if op, name := parseSavepoint(q); op != spNone {
		if t, _ := transactionOf(db); t != nil {
			t.savepoint(op, name)
		}
	}
}

// spOp is a savepoint statement recognised in a transaction's Exec.
type spOp uint8

const (
	spNone     spOp = iota
	spSet           // SAVEPOINT name
	spRollback      // ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] name
	spRelease       // RELEASE [SAVEPOINT] name
)

// maybeSavepoint is the fast test run on every Exec: savepoint statements start with S, R, s or r after blanks. It
// answers true for anything parseSavepoint may recognise (non-ASCII bytes
// may be Unicode blanks).
func maybeSavepoint(q string) bool {
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

// parseSavepoint recognises the savepoint statements of SQLite, PostgreSQL
// and MySQL/MariaDB, as GORM's dialectors and users write them. It returns
// the operation and the savepoint's name: unquoted names are folded to lower
// case (all three databases compare them without regard to case), quoted
// ones ("x", `x`) are kept as written.
func parseSavepoint(q string) (spOp, string) {
	words := strings.Fields(strings.TrimRight(strings.TrimSpace(q), "; \t\r\n"))
	if len(words) < 2 {
		return spNone, ""
	}
	var op spOp
	rest := words[1:]
	switch {
	case strings.EqualFold(words[0], "SAVEPOINT"):
		op = spSet
	case strings.EqualFold(words[0], "RELEASE"):
		op = spRelease
		rest = skipWord(rest, "SAVEPOINT")
	case strings.EqualFold(words[0], "ROLLBACK"):
		op = spRollback
		rest = skipWord(skipWord(rest, "WORK"), "TRANSACTION")
		if len(rest) == 0 || !strings.EqualFold(rest[0], "TO") {
			return spNone, "" // a plain ROLLBACK
		}
		rest = skipWord(rest[1:], "SAVEPOINT")
	default:
		return spNone, ""
	}
	if len(rest) != 1 {
		return spNone, ""
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
