package outbox

import "context"

type correlationKey struct{}

// WithCorrelationID returns ctx carrying a correlation ID (a request ID, a
// job ID) that the events sent with it record. Events sent by a durable
// receiver's handler inherit the correlation ID of the event it handles.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// CorrelationID returns the correlation ID of ctx: the one given with
// [WithCorrelationID], or else that of the delivery being handled, or "".
func CorrelationID(ctx context.Context) string {
	if id, ok := ctx.Value(correlationKey{}).(string); ok {
		return id
	}
	if d, ok := FromContext(ctx); ok && d.Envelope != nil {
		if d.Envelope.CorrelationID != "" {
			return d.Envelope.CorrelationID
		}
		return d.Envelope.ID
	}
	return ""
}
