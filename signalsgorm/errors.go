package signalsgorm

import (
	"errors"
	"fmt"
	"strings"
)

var errNotInstalled = errors.New("signalsgorm: the plugin is not installed on this *gorm.DB (db.Use(signalsgorm.New()))")

// Sentinels matched by errors.Is on the errors of a refused deletion.
var (
	// ErrProtected is matched by a [*ProtectedError].
	ErrProtected = errors.New("signalsgorm: deletion refused: protected rows")
	// ErrRestricted is matched by a [*RestrictedError].
	ErrRestricted = errors.New("signalsgorm: deletion refused: restricted rows")
)

// ProtectedError refuses a deletion that would remove rows other rows
// reference through a [Protect] relation (Django's ProtectedError, C97).
// It is raised while collecting, before any signal or write (C95).
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
// remove those rows through a cascade too (Django's RestrictedError, C98).
// It is raised while collecting, before any signal or write.
type RestrictedError struct {
	// Model is the label of the model whose deletion was refused.
	Model string
	// Relations names the relations of Model the restricted rows were
	// reached through.
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
