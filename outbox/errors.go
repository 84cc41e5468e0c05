package outbox

import "errors"

var (
	// ErrMalformed reports an envelope that cannot be decoded or is not
	// valid.
	ErrMalformed = errors.New("outbox: malformed envelope")
	// ErrVersion reports an envelope of a version this package does not
	// read, or one without a version.
	ErrVersion = errors.New("outbox: unknown envelope version")
	// ErrInvalidReceiver reports a durable receiver that cannot be
	// registered: no name, an invalid name, no handler, no signal or model.
	ErrInvalidReceiver = errors.New("outbox: invalid durable receiver")
	// ErrDuplicateReceiver reports a second durable receiver with a name
	// already registered: the name is the routing and idempotency key, so
	// it must be unique.
	ErrDuplicateReceiver = errors.New("outbox: durable receiver name already registered")
	// ErrUnknownReceiver reports a delivery for a receiver that is not
	// registered in this process.
	ErrUnknownReceiver = errors.New("outbox: no durable receiver of that name is registered")
)

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that workers do not retry the delivery: it goes to
// the dead letters at once. Use it for failures that no retry can fix (an
// event that cannot be decoded, a record that no longer exists). It returns
// nil for a nil err.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was made by
// [Permanent], or is a decoding failure ([ErrMalformed], [ErrVersion]).
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p) || errors.Is(err, ErrMalformed) || errors.Is(err, ErrVersion)
}
