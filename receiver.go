package signals

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

// A Receiver handles the events of a [Signal]. Receive is called
// synchronously by [Signal.Send] and [Signal.SendRobust], in the goroutine of
// the sender ([Signal.SendAsync] calls receivers in goroutines of its own and
// waits for them); a non-nil error stops [Signal.Send] and is returned to the
// sender.
type Receiver[T any] interface {
	Receive(ctx context.Context, ev T) error
}

// ReceiverFunc adapts an ordinary function to a [Receiver], as
// [net/http.HandlerFunc] does for handlers.
type ReceiverFunc[T any] func(ctx context.Context, ev T) error

// Receive calls f(ctx, ev).
func (f ReceiverFunc[T]) Receive(ctx context.Context, ev T) error { return f(ctx, ev) }

// ReceiverInfo describes one connected receiver. It is captured once, when the
// receiver is connected; nothing on the send path computes it.
type ReceiverInfo struct {
	// ID is unique within the signal and grows with every connection, so it
	// is also the registration order.
	ID uint64
	// Signal is the name of the signal the receiver is connected to.
	Signal string
	// Name is the name given with [Name], or else Func.
	Name string
	// Func is the fully qualified name of the receiving function or, for a
	// Receiver that is not a function, its dynamic type.
	Func string
	// File (a full path) and Line locate the call that connected the
	// receiver.
	File string
	Line int
	// Sender is the sender the receiver is restricted to, or nil for a
	// receiver that receives from every sender.
	Sender any
	// UID is the dispatch UID given with [UID], if any.
	UID string
	// Priority is the value given with [Priority] (0 by default).
	Priority int
	// Mode tells how the receiver is delivered: "inline" for a receiver
	// called during the send, or a mode set by an adapter (for example
	// "after_commit" or "durable") with [Mode].
	Mode string
}

// Location returns "dir/file.go:line" of the connecting call, shortened to
// the last path elements, or "" if unknown.
func (ri ReceiverInfo) Location() string {
	if ri.File == "" {
		return ""
	}
	return shortFile(ri.File) + ":" + strconv.Itoa(ri.Line)
}

// String returns the receiver's name and, when known, where it was connected.
func (ri ReceiverInfo) String() string {
	if loc := ri.Location(); loc != "" {
		return ri.Name + " (" + loc + ")"
	}
	return ri.Name
}

// identity returns what makes two connections of r the same receiver,
// Django's _make_id (django/dispatch/dispatcher.py): for a function
// ([ReceiverFunc], what ConnectFunc connects), its func value; for a
// Receiver that is a pointer, the pointer. Other receivers (struct values,
// other func types) have none and nil is returned.
//
// A func value is a pointer to the function's closure, which Go's ABI
// documents (cmd/compile/abi-internal.md, "Closures") and reflect cannot
// return: reflect.Value.Pointer gives the code pointer, shared by every
// closure of one function literal. The pointer is read with unsafe. The
// entry holding it keeps the closure alive, so two live entries with the
// same pointer hold the same func value.
func identity[T any](r Receiver[T]) any {
	if f, ok := r.(ReceiverFunc[T]); ok {
		return *(*unsafe.Pointer)(unsafe.Pointer(&f))
	}
	if reflect.TypeOf(r).Kind() == reflect.Pointer {
		return r
	}
	return nil
}

// funcName returns the name of the function or the dynamic type of r.
func funcName(r any) string {
	v := reflect.ValueOf(r)
	if v.Kind() == reflect.Func {
		if f := runtime.FuncForPC(v.Pointer()); f != nil {
			return f.Name()
		}
		return v.Type().String()
	}
	return fmt.Sprintf("%T", r)
}

// isNil reports whether r is nil or a nil func, pointer, map, slice, channel
// or interface wrapped in an interface.
func isNil(r any) bool {
	if r == nil {
		return true
	}
	v := reflect.ValueOf(r)
	switch v.Kind() {
	case reflect.Func, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// callerLocation returns file and line of the caller skip frames above its
// own caller.
func callerLocation(skip int) (string, int) {
	_, file, line, ok := runtime.Caller(skip + 1)
	if !ok {
		return "", 0
	}
	return file, line
}

// shortFile keeps the tail of a source path (its last three elements), which
// is enough to find the file and is stable across machines.
func shortFile(file string) string {
	n := 0
	for i := len(file) - 1; i >= 0; i-- {
		if file[i] == '/' {
			n++
			if n == 3 {
				return file[i+1:]
			}
		}
	}
	return strings.TrimPrefix(file, "/")
}
