package modelsignals

import "context"

type rawKey struct{}

// WithRaw returns a copy of ctx in which saves are raw: save events have
// Raw set, telling receivers that the data is being loaded as stored
// (fixtures, restores, replication) and must not be derived from or
// altered. It is Django's raw=True of loaddata.
func WithRaw(ctx context.Context) context.Context {
	return context.WithValue(ctx, rawKey{}, true)
}

// IsRaw reports whether ctx was made by [WithRaw]; ORM adapters set
// SaveEvent.Raw from it.
func IsRaw(ctx context.Context) bool {
	if ctx == nil {
		return false
	}
	raw, _ := ctx.Value(rawKey{}).(bool)
	return raw
}
