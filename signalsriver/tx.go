package signalsriver

import (
	"database/sql"
	"reflect"
)

// maxWrappers bounds the unwrapping of a transaction: GORM's prepared
// statement layers and the plugin's transaction, a few deep at most.
const maxWrappers = 8

// sqlTx returns the *sql.Tx that runs the statements of e: e itself, or
// the transaction a wrapper holds in an exported field named Tx. GORM
// wraps the transaction that way (gorm.PreparedStmtTX embeds gorm.Tx), and
// so does the signalsgorm plugin, whose transaction embeds the one GORM's
// dialector began: the event's statement runs through those layers, and
// River's database/sql drivers take the *sql.Tx under them.
func sqlTx(e any) (*sql.Tx, bool) {
	for range maxWrappers {
		switch t := e.(type) {
		case *sql.Tx:
			return t, t != nil
		case nil:
			return nil, false
		}
		v := reflect.ValueOf(e)
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return nil, false
		}
		f := v.Elem().FieldByName("Tx")
		if !f.IsValid() || !f.CanInterface() {
			return nil, false
		}
		e = f.Interface()
	}
	return nil, false
}
