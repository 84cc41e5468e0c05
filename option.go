package signals

import (
	"fmt"
	"reflect"
)

// An Option configures one connection made by [Signal.Connect] and its
// siblings. Options are validated when the receiver is connected: an invalid
// option makes Connect panic, and nothing is registered.
type Option func(*config)

type config struct {
	sender     any
	uid        string
	name       string
	fn         string
	priority   int
	mode       string
	callerSkip int
	// invalid says what is wrong with the first invalid option and what
	// to do about it.
	invalid string
}

// fail records an invalid option: what is wrong, and what to do.
func (c *config) fail(what, todo string) {
	if c.invalid == "" {
		c.invalid = what + "; " + todo
	}
}

func newConfig(opts []Option) config {
	c := config{mode: "inline"}
	for _, o := range opts {
		if o == nil {
			c.fail("nil Option", "remove it or pass a valid one")
			continue
		}
		o(&c)
	}
	return c
}

// Sender restricts a receiver to events sent by sender: it is called only
// when [Signal.Send] is given a sender equal to this one (Go's == on the
// interface values: same dynamic type and equal value). For model signals the
// sender is the model type. Sender(nil) is the same as no Sender option: the
// receiver is called for every sender.
//
// The sender must be comparable; a slice, map or func sender is an invalid
// option.
func Sender(sender any) Option {
	return func(c *config) {
		if sender != nil && !reflect.ValueOf(sender).Comparable() {
			c.fail(fmt.Sprintf("Sender of type %T is not comparable", sender), "pass a comparable sender, such as a pointer, a reflect.Type or a string")
			return
		}
		c.sender = sender
	}
}

// UID gives the connection a dispatch UID, Django's dispatch_uid. A signal
// holds at most one receiver per (UID, sender): connecting a UID that is
// already connected for the same sender is a no-op, and the first receiver
// keeps its place. Use it to make connecting idempotent (for example when set-up
// code may run twice) where the receiver's identity cannot (a closure or a
// method value made anew at each call), or to connect one function several
// times under different UIDs. An empty UID is an invalid option.
func UID(uid string) Option {
	return func(c *config) {
		if uid == "" {
			c.fail("empty UID", "pass a non-empty dispatch UID, or no UID option")
			return
		}
		c.uid = uid
	}
}

// Name names the receiver in errors, logs and introspection. By default a
// receiver is named after its function.
func Name(name string) Option {
	return func(c *config) {
		if name == "" {
			c.fail("empty Name", "pass a non-empty name, or no Name option to name the receiver after its function")
			return
		}
		c.name = name
	}
}

// Priority moves a receiver ahead of (higher values) or behind (lower values)
// receivers of a lower or higher priority. Receivers of equal priority are
// called in registration order; the default priority is 0. Priority is meant
// for the few receivers whose position matters (an audit log that must see
// the event first, a cache invalidation that must run last); registration
// order stays the rule.
func Priority(p int) Option {
	return func(c *config) { c.priority = p }
}

// CallerSkip is for packages that connect receivers on behalf of their users:
// it skips n more stack frames when recording where the receiver was
// connected, so the location points at the user's code.
func CallerSkip(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.fail(fmt.Sprintf("negative CallerSkip %d", n), "pass the number of frames to skip, 0 or more")
			return
		}
		c.callerSkip += n
	}
}

// Func is for packages that wrap a user's function before connecting it: it
// records fn (usually a function) as the receiving function in
// [ReceiverInfo], instead of the wrapper.
func Func(fn any) Option {
	return func(c *config) {
		if isNil(fn) {
			c.fail("nil Func", "pass the function the receiver wraps")
			return
		}
		c.fn = funcName(fn)
	}
}

// Mode is for packages that deliver a receiver in another way than inline
// (after the transaction commits, or durably through an outbox): it records
// the delivery mode shown in [ReceiverInfo.Mode].
func Mode(mode string) Option {
	return func(c *config) {
		if mode == "" {
			c.fail("empty Mode", `pass a delivery mode such as "after_commit", or no Mode option for "inline"`)
			return
		}
		c.mode = mode
	}
}
