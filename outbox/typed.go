package outbox

import (
	"context"
	"encoding/json"
	"fmt"
)

// Event is an envelope with its instance decoded into the model type M: the
// typed form a durable receiver of M gets. Instance is nil for a thin event.
type Event[M any] struct {
	Envelope
	Instance *M
	// Delivery is the delivery being handled (its receiver and attempt).
	Delivery *Delivery
}

// Typed returns a handler that decodes each delivery's instance into a new
// M and calls fn. An instance that does not decode into M is a
// [Permanent] failure: retrying cannot fix it.
func Typed[M any](fn func(ctx context.Context, ev Event[M]) error) Handler {
	return func(ctx context.Context, d *Delivery) error {
		ev, err := DecodeEvent[M](d)
		if err != nil {
			return err
		}
		return fn(ctx, ev)
	}
}

// DecodeEvent decodes d's instance into M.
func DecodeEvent[M any](d *Delivery) (Event[M], error) {
	ev := Event[M]{Envelope: *d.Envelope, Delivery: d}
	if raw := d.Envelope.Instance; len(raw) > 0 && string(raw) != "null" {
		m := new(M)
		if err := json.Unmarshal(raw, m); err != nil {
			return ev, Permanent(fmt.Errorf("outbox: decoding the instance of event %s into %T: %w", d.Envelope.ID, m, err))
		}
		ev.Instance = m
	}
	return ev, nil
}
