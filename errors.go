package signals

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// Errors of misused signals. A send on a nil *Signal returns
// ErrNilSignal; [Signal.Connect] and its siblings panic with an error
// wrapping one of them, so that a recover can tell them apart with
// [errors.Is].
var (
	// ErrNilSignal reports a method called on a nil *Signal.
	ErrNilSignal = errors.New("signals: nil signal")
	// ErrNilReceiver reports a nil receiver given to Connect.
	ErrNilReceiver = errors.New("signals: nil receiver")
	// ErrInvalidOption reports an invalid [Option].
	ErrInvalidOption = errors.New("signals: invalid option")
)

// connectError is the value Connect and its siblings panic with: op is the
// function called, msg says what is wrong and what to do, err is one of
// the sentinels above, and cause the error of a sender check, if any.
type connectError struct {
	op, msg string
	err     error
	cause   error
}

func (e *connectError) Error() string { return "signals: " + e.op + ": " + e.msg }

func (e *connectError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.err}
	}
	return []error{e.err, e.cause}
}

// ReceiverError is the error returned when a receiver fails. It names the
// signal and the receiver and wraps the receiver's error, so [errors.Is] and
// [errors.As] see through it.
type ReceiverError struct {
	Signal   string
	Receiver ReceiverInfo
	Err      error
}

func (e *ReceiverError) Error() string {
	return "signals: " + e.Signal + " receiver " + e.Receiver.String() + ": " + e.Err.Error()
}

// Unwrap returns the receiver's error.
func (e *ReceiverError) Unwrap() error { return e.Err }

// PanicError is the error a robust or async send reports for a receiver that
// panicked. It keeps the panic value and the stack of the panicking goroutine.
type PanicError struct {
	Value any
	Stack []byte
}

func newPanicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error, so that a panic with an
// error value matches it under [errors.Is].
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
