package signalsgorm

import (
	"gorm.io/gorm"

	"github.com/gosignals/signals/signalsgorm/internal/txpool"
)

// followSavepoint follows the savepoint statements GORM executes: those of
// nested Transaction calls, SavePoint and RollbackTo (which the dialectors
// run with Exec), and users' own, so that a rollback to a savepoint drops
// the on-commit callbacks registered since. It runs in the Raw processor,
// which runs every Exec whatever the connection pool (prepared statements
// included), rather than in the transaction's ExecContext, which
// prepared-statement sessions bypass; statements that are not Exec pay
// nothing.
func followSavepoint(db *gorm.DB) {
	if db.Error != nil || db.DryRun {
		return
	}
	q := db.Statement.SQL.String()
	if !txpool.MaybeSavepoint(q) {
		return
	}
	if op, name := txpool.ParseSavepoint(q); op != txpool.NotSavepoint {
		if t, _ := transactionOf(db); t != nil {
			t.Savepoint(op, name)
		}
	}
}
