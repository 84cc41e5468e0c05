package modelsignals

import "errors"

// ErrNotModel reports a type used as a model that is not a struct type.
var ErrNotModel = errors.New("modelsignals: not a model type")

// registrationError is the value the typed connect functions (OnPreSave,
// ...) panic with: op is the function called, msg says what is wrong and
// what to do, err is ErrNotModel or one of package signals' errors.
type registrationError struct {
	op, msg string
	err     error
}

func (e *registrationError) Error() string { return "modelsignals: " + e.op + ": " + e.msg }

func (e *registrationError) Unwrap() error { return e.err }
