package modelsignals

import "errors"

// ErrNotModel reports a type used as a model that is not a struct type.
var ErrNotModel = errors.New("modelsignals: not a model type")

// ErrM2MSender reports an m2m_changed receiver connected with a sender
// m2m_changed is never sent with: a model type instead of a relation's
// join model, or a relation field the model does not have. Such a receiver
// would never be called.
var ErrM2MSender = errors.New("modelsignals: not a sender of m2m_changed")

// registrationError is the value the typed connect functions (OnPreSave,
// ...) panic with: op is the function called, msg says what is wrong and
// what to do, err is ErrNotModel or one of package signals' errors.
type registrationError struct {
	op, msg string
	err     error
}

func (e *registrationError) Error() string { return "modelsignals: " + e.op + ": " + e.msg }

func (e *registrationError) Unwrap() error { return e.err }
