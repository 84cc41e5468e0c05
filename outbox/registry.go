package outbox

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/gosignals/signals"
)

// A Handler handles the deliveries of one durable receiver. A nil error
// acknowledges the delivery; any other error makes the worker retry it, up
// to its attempt limit, then dead-letter it (at once for a [Permanent]
// error).
type Handler func(ctx context.Context, d *Delivery) error

// Delivery is one delivery of an event to a durable receiver.
type Delivery struct {
	Envelope *Envelope
	// Receiver is the receiver's name.
	Receiver string
	// Attempt counts the deliveries of this event to this receiver, from 1,
	// as far as the transport knows it (a crash may hide an attempt).
	Attempt int
}

// Key returns the delivery's idempotency key, "receiver/event-id": the same
// for every redelivery of the event to the receiver.
func (d *Delivery) Key() string { return d.Receiver + "/" + d.Envelope.ID }

type deliveryKey struct{}

// NewContext returns ctx carrying d, as workers call handlers with.
func NewContext(ctx context.Context, d *Delivery) context.Context {
	return context.WithValue(ctx, deliveryKey{}, d)
}

// FromContext returns the delivery a handler's context carries.
func FromContext(ctx context.Context) (*Delivery, bool) {
	d, ok := ctx.Value(deliveryKey{}).(*Delivery)
	return d, ok && d != nil
}

// Receiver is a registered durable receiver.
type Receiver struct {
	// Name is the receiver's stable name: its routing key (the durable
	// consumer, queue or outbox rows are named after it) and, with the
	// event ID, its idempotency key. Renaming a receiver makes it a new
	// one, which does not see the old one's backlog.
	Name string
	// Signal and Model (a model label) select the events it receives.
	Signal string
	Model  string
	// Handler is called for each delivery.
	Handler Handler
	// Func names the user's function, for introspection.
	Func string
}

// Topic returns the topic the receiver's events are published to.
func (r Receiver) Topic() string { return Topic(r.Signal, r.Model) }

// Registry holds durable receivers by name. Workers look handlers up in
// it; the zero value is empty and ready to use. Most programs use
// [DefaultRegistry].
type Registry struct {
	mu     sync.RWMutex
	byName map[string]Receiver
}

// DefaultRegistry is the registry the ORM adapters register durable
// receivers in, and workers read by default.
var DefaultRegistry = &Registry{}

// ValidName reports whether name can name a durable receiver: 1 to 128
// characters among letters, digits, '_', '-' and '.'; it must start with a
// letter or digit. The name becomes part of queue and consumer names.
func ValidName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '-' && c != '.') {
			return false
		}
	}
	return true
}

// Register adds r and returns a function that removes it. The name must be
// valid ([ValidName]) and not registered yet.
func (g *Registry) Register(r Receiver) (unregister func(), err error) {
	switch {
	case !ValidName(r.Name):
		return nil, fmt.Errorf("%w: name %q (use letters, digits, '_', '-', '.')", ErrInvalidReceiver, r.Name)
	case r.Handler == nil:
		return nil, fmt.Errorf("%w: %s has no handler", ErrInvalidReceiver, r.Name)
	case r.Signal == "" || r.Model == "":
		return nil, fmt.Errorf("%w: %s has no signal or model", ErrInvalidReceiver, r.Name)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if old, ok := g.byName[r.Name]; ok {
		return nil, fmt.Errorf("%w: %q (%s of %s, connected by %s)", ErrDuplicateReceiver, r.Name, old.Signal, old.Model, old.Func)
	}
	if g.byName == nil {
		g.byName = map[string]Receiver{}
	}
	g.byName[r.Name] = r
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			delete(g.byName, r.Name)
			g.mu.Unlock()
		})
	}, nil
}

// Lookup returns the receiver registered under name.
func (g *Registry) Lookup(name string) (Receiver, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	r, ok := g.byName[name]
	return r, ok
}

// Receivers returns the registered receivers, sorted by name.
func (g *Registry) Receivers() []Receiver {
	g.mu.RLock()
	out := make([]Receiver, 0, len(g.byName))
	for _, r := range g.byName {
		out = append(out, r)
	}
	g.mu.RUnlock()
	slices.SortFunc(out, func(a, b Receiver) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Deliver calls the handler of the receiver d names, with d in the context
// ([FromContext]). It returns an error wrapping [ErrUnknownReceiver] when no
// receiver of that name is registered; a panic in the handler is returned
// as an error.
func (g *Registry) Deliver(ctx context.Context, d *Delivery) (err error) {
	r, ok := g.Lookup(d.Receiver)
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownReceiver, d.Receiver)
	}
	ctx, step := signals.StartStep(ctx, signals.StepWorker, d.Receiver)
	defer func() {
		if v := recover(); v != nil {
			pe := &signals.PanicError{Value: v, Stack: debug.Stack()}
			err = fmt.Errorf("outbox: receiver %s panicked: %w", d.Receiver, pe)
		}
		step.End(err)
	}()
	if step != nil && d.Envelope != nil {
		step.SetDetail(fmt.Sprintf("event %s, attempt %d", d.Envelope.ID, d.Attempt))
	}
	return r.Handler(NewContext(ctx, d), d)
}

// Topic returns the topic of the events of signal for model (a label):
// "signals.<model>.<signal>", with every character other than letters,
// digits, '_', '-' and '.' of the label replaced by '_'. Its dots make it a
// NATS subject under "signals.>".
func Topic(signal, model string) string {
	var b strings.Builder
	b.Grow(len("signals.") + len(model) + 1 + len(signal))
	b.WriteString("signals.")
	writeToken(&b, model, true)
	b.WriteByte('.')
	writeToken(&b, signal, false)
	return b.String()
}

func writeToken(b *strings.Builder, s string, dots bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || dots && c == '.' && i > 0 && i < len(s)-1 && s[i-1] != '.'
		if ok {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
}
