package signals

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// An Observer is told about every send and every receiver call, in every
// signal: the hook for instrumentation such as OpenTelemetry (the module
// signalsotel). Install one with [Observe].
//
// For a send, SendStart is called before its first receiver and SendEnd
// after its last; for each receiver, ReceiverStart just before the call and
// ReceiverEnd just after it, in the goroutine that calls the receiver (for
// [Signal.SendAsync], several at once). Each Start returns a context: an
// End method gets the one its own Start returned; SendStart's context goes
// on to ReceiverStart, and ReceiverStart's to the receiver (with several
// observers, each Start gets the context the previous one returned). So an
// observer can put a span in the context and find it again at the end, and
// the receiver runs inside it. Muted sends, sends with no receiver, and the
// receivers an async send skips because its context is done are not
// observed.
//
// The *SendInfo and *ReceiverInfo are shared: an observer must not modify
// them or keep them after the call. Observer methods must not panic; they
// run on the send path and may be called concurrently.
type Observer interface {
	SendStart(ctx context.Context, send *SendInfo) context.Context
	SendEnd(ctx context.Context, send *SendInfo, end EndInfo)
	ReceiverStart(ctx context.Context, send *SendInfo, r *ReceiverInfo) context.Context
	ReceiverEnd(ctx context.Context, send *SendInfo, r *ReceiverInfo, end EndInfo)
}

// SendInfo describes a send to observers.
type SendInfo struct {
	// Signal is the signal's name.
	Signal string
	// Sender is the sender given to the send (nil for none).
	Sender any
	Kind   SendKind
	// Receivers is the number of receivers the send calls.
	Receivers int
}

// EndInfo describes how a send or a receiver call ended.
type EndInfo struct {
	Outcome Outcome
	// Err is the receiver's error, or the send's error (for a robust send,
	// the joined failures); for a recovered panic a *[PanicError]. A panic
	// that [Signal.Send] lets propagate has Outcome [OutcomePanic] and a nil
	// Err: the panic goes on, untouched, to the sender.
	Err error
	// Duration is the wall time of the call or the whole send.
	Duration time.Duration
}

// SendKind tells which method sent.
type SendKind uint8

// The kinds of send.
const (
	KindSend   SendKind = iota + 1 // Signal.Send
	KindRobust                     // Signal.SendRobust and SendRobustResults
	KindAsync                      // Signal.SendAsync
)

// String returns "send", "send_robust" or "send_async".
func (k SendKind) String() string {
	switch k {
	case KindSend:
		return "send"
	case KindRobust:
		return "send_robust"
	case KindAsync:
		return "send_async"
	}
	return "SendKind(?)"
}

// observers is the installed observers, in installation order; nil when
// there are none.
var observers atomic.Pointer[[]Observer]

// installed mirrors observers with one token per Observe call, so that
// the same Observer installed twice is removed once per stop.
var installed []*Observer

// Observe installs o for every signal and returns a function that removes
// it again (safe to call twice). Several observers may be installed: their
// Start methods run in installation order, their End methods in reverse.
// While no observer is installed, sends do not look for one.
func Observe(o Observer) (stop func()) {
	if o == nil {
		return func() {}
	}
	token := &o
	flagsMu.Lock()
	installed = append(installed, token)
	publishObservers()
	flagsMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			flagsMu.Lock()
			installed = slices.DeleteFunc(installed, func(t *Observer) bool { return t == token })
			publishObservers()
			flagsMu.Unlock()
		})
	}
}

// publishObservers stores a fresh copy of installed. flagsMu is held.
func publishObservers() {
	if len(installed) == 0 {
		observers.Store(nil)
		setGlobalFlag(flagObserve, false)
		return
	}
	obs := make([]Observer, len(installed))
	for i, t := range installed {
		obs[i] = *t
	}
	observers.Store(&obs)
	setGlobalFlag(flagObserve, true)
}
