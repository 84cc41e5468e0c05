package signalsriver

import "errors"

var (
	// ErrInvalidConfig reports a [Config] the engine cannot use.
	ErrInvalidConfig = errors.New("signalsriver: invalid configuration")
	// ErrDialect reports a database River does not run on: River has
	// drivers for PostgreSQL and SQLite only.
	ErrDialect = errors.New("signalsriver: unsupported database")
	// ErrNoSQLTx reports an event written through a transaction that is
	// not a database/sql transaction (a *sql.Tx under GORM's wrappers),
	// which River's database/sql drivers need to insert the job in it.
	ErrNoSQLTx = errors.New("signalsriver: the event's transaction is not a *sql.Tx (open the *gorm.DB with a database/sql dialector)")
	// ErrReceiver reports receivers a [Worker] cannot work: not
	// registered, a name too long for a River job kind, or two names
	// that map to one River queue.
	ErrReceiver = errors.New("signalsriver: receiver")
)
