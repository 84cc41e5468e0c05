package signalsgorm

import (
	"errors"
	"fmt"
	"strings"
)

var errNotInstalled = errors.New("signalsgorm: the plugin is not installed on this *gorm.DB (db.Use(signalsgorm.New()))")

// ErrInstalled reports a plugin installed on a *gorm.DB that has one
// already (see [Install]).
var ErrInstalled = errors.New("signalsgorm: the plugin is already installed on this *gorm.DB")

// ErrPreSignal is wrapped by the panic of [AfterCommit] given the connect
// function of a pre_* signal, which announces a change not made yet.
var ErrPreSignal = errors.New("signalsgorm: AfterCommit: a pre_* signal cannot be received after the commit")

// Errors of [OnCommit], [OnCommitContext], after-commit receivers and
// [CaptureOnCommit].
var (
	// ErrNilCallback reports a nil on-commit callback (Django raises
	// TypeError: tests/transaction_hooks/tests.py,
	// TestConnectionOnCommit.test_raises_exception_non_callable).
	ErrNilCallback = errors.New("signalsgorm: on-commit callback is nil")
	// ErrNoDB reports a context that carries no *gorm.DB: it is not the
	// context of a receiver of a signal the plugin sent, nor one made by
	// [NewContext].
	ErrNoDB = errors.New("signalsgorm: the context carries no *gorm.DB (use the context a receiver gets, or signalsgorm.NewContext)")
	// ErrUntracked reports a transaction the plugin cannot see commit: one
	// begun on the *sql.Conn of db.Connection, or on a connection pool
	// installed after the plugin. Running the callback now would run it
	// before the commit, so it is refused (Django refuses on_commit under
	// manual transaction management the same way:
	// tests/transaction_hooks/tests.py,
	// TestConnectionOnCommit.test_raises_exception_non_autocommit_mode).
	ErrUntracked = errors.New("signalsgorm: the statement runs in a transaction the plugin does not track (db.Connection, or a ConnPool replaced after the plugin was installed)")
	// ErrRolledBack reports a callback registered on a transaction that
	// was already rolled back: what it would announce did not happen.
	ErrRolledBack = errors.New("signalsgorm: the transaction was rolled back")
	// ErrNoTransaction reports a [CaptureOnCommit] outside a transaction.
	ErrNoTransaction = errors.New("signalsgorm: not in a transaction")
)

// CallbackError is the error of a fail-fast on-commit callback (see
// [FailFast]). When it comes out of a commit (db.Transaction, tx.Commit(),
// or the statement that began the transaction) the transaction WAS
// committed: only what came after the failing callback is lost, the
// callbacks queued after it, which were discarded, as in Django
// (tests/transaction_hooks/tests.py,
// TestConnectionOnCommit.test_error_in_hook_doesnt_prevent_clearing_hooks).
type CallbackError struct {
	// Callback names the failing function.
	Callback string
	// TxID identifies the committed transaction; it is 0 for a callback run
	// at once, outside a transaction.
	TxID uint64
	// Err is the callback's error, or a *signals.PanicError.
	Err error
}

func (e *CallbackError) Error() string {
	if e.TxID == 0 {
		return fmt.Sprintf("signalsgorm: on-commit callback %s: %v", e.Callback, e.Err)
	}
	return fmt.Sprintf("signalsgorm: on-commit callback %s of transaction %d: %v", e.Callback, e.TxID, e.Err)
}

// Unwrap returns the callback's error.
func (e *CallbackError) Unwrap() error { return e.Err }

// Sentinels matched by errors.Is on the errors of a refused deletion.
var (
	// ErrProtected is matched by a [*ProtectedError].
	ErrProtected = errors.New("signalsgorm: deletion refused: protected rows")
	// ErrRestricted is matched by a [*RestrictedError].
	ErrRestricted = errors.New("signalsgorm: deletion refused: restricted rows")
)

// ProtectedError refuses a deletion that would remove rows other rows
// reference through a [Protect] relation (Django's ProtectedError:
// tests/delete/tests.py, OnDeleteTests.test_protect). It is raised while
// collecting, before any signal or write.
type ProtectedError struct {
	// Model is the label of the model whose deletion was refused.
	Model string
	// Relations names the relations of Model the protected rows were
	// reached through: the protecting relation itself ("Loan.Book"), or the
	// cascade of Model that led to it.
	Relations []string
	// Objects are the protecting rows, pointers to their model structs.
	Objects []any
}

// Error names the model and the relations, as Django's message does.
func (e *ProtectedError) Error() string {
	return refused(e.Model, "protected", e.Relations)
}

// Is makes errors.Is(err, ErrProtected) true.
func (e *ProtectedError) Is(target error) bool { return target == ErrProtected }

// RestrictedError refuses a deletion that would remove rows other rows
// reference through a [Restrict] relation, when the deletion does not
// remove those rows through a cascade too (Django's RestrictedError:
// tests/delete/tests.py, OnDeleteTests.test_restrict).
// It is raised while collecting, before any signal or write.
type RestrictedError struct {
	// Model is the label of the model whose deletion was refused.
	Model string
	// Relations names the restricting relations, those of the restricting
	// rows ("Booking.Room"), wherever the cascade that reached them
	// started: Django's 'A.restrict' (tests/delete/tests.py,
	// OnDeleteTests.test_restrict_path_cascade_indirect).
	Relations []string
	// Objects are the restricting rows, pointers to their model structs.
	Objects []any
}

// Error names the model and the relations, as Django's message does.
func (e *RestrictedError) Error() string {
	return refused(e.Model, "restricted", e.Relations)
}

// Is makes errors.Is(err, ErrRestricted) true.
func (e *RestrictedError) Is(target error) bool { return target == ErrRestricted }

func refused(model, kind string, rels []string) string {
	q := make([]string, len(rels))
	for i, r := range rels {
		q[i] = "'" + r + "'"
	}
	return fmt.Sprintf("signalsgorm: cannot delete some instances of model '%s' because they are referenced through %s foreign keys: %s",
		model, kind, strings.Join(q, ", "))
}

// Sentinels matched by errors.Is on the errors of a save with update fields
// (Select, an Updates map or struct, Update).
var (
	// ErrInvalidUpdateFields is matched by an [*UpdateFieldsError].
	ErrInvalidUpdateFields = errors.New("signalsgorm: update fields that cannot be written")
	// ErrNotUpdated is matched by a [*NotUpdatedError].
	ErrNotUpdated = errors.New("signalsgorm: save with update fields did not affect any rows")
)

// UpdateFieldsError refuses an update of one object whose Select list or
// update map names fields the update cannot write: the primary key, a field
// that is not a column (gorm:"-", a type GORM does not store), a read-only
// field, or a relation. GORM would write nothing for them, silently; Django
// raises ValueError ("The following fields do not exist in this model, are
// m2m fields, primary keys, or are non-concrete fields":
// tests/update_only_fields/tests.py, UpdateOnlyFieldsTests.test_update_fields_m2m,
// test_update_fields_incorrect_params, test_update_non_concrete_field). It
// is returned before any signal is sent and before anything is written.
type UpdateFieldsError struct {
	// Model is the label of the model.
	Model string
	// Fields are the names refused, as the statement gave them, sorted.
	Fields []string

	reasons []string // per field: why it cannot be written
}

// Error names the model and each field with why it cannot be written.
func (e *UpdateFieldsError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f
		if i < len(e.reasons) && e.reasons[i] != "" {
			parts[i] += " (" + e.reasons[i] + ")"
		}
	}
	return fmt.Sprintf("signalsgorm: update of %s names fields it cannot write: %s; nothing was written",
		e.Model, strings.Join(parts, ", "))
}

// Is makes errors.Is(err, ErrInvalidUpdateFields) true.
func (e *UpdateFieldsError) Is(target error) bool { return target == ErrInvalidUpdateFields }

// NotUpdatedError reports a save with update fields of one object, by its
// primary key, that matched no row: the row was deleted (or soft-deleted)
// since the object was loaded. Django raises Model.NotUpdated ("Save with
// update_fields did not affect any rows.": tests/update_only_fields/tests.py,
// UpdateOnlyFieldsTests.test_update_fields_not_updated). pre_save was sent,
// post_save is not. See [ReportNotUpdated] for the saves that return it.
type NotUpdatedError struct {
	// Model is the label of the model.
	Model string
	// Key is the object's primary key, as text.
	Key string
	// UpdateFields are the fields the save was to write.
	UpdateFields []string
}

// Error names the object and the fields.
func (e *NotUpdatedError) Error() string {
	return fmt.Sprintf("signalsgorm: save of %s#%s with update fields %s did not affect any rows: no row has this key (deleted or soft-deleted)",
		e.Model, e.Key, strings.Join(e.UpdateFields, ","))
}

// Is makes errors.Is(err, ErrNotUpdated) true.
func (e *NotUpdatedError) Is(target error) bool { return target == ErrNotUpdated }
