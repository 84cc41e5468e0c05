package signals

import (
	"sync"
	"sync/atomic"
)

// The send paths test two words, one per signal and one global, and take
// the slow path (slow.go) when either is non-zero. Until something is
// muted, measured, traced or observed, a send costs two plain loads more
// than a loop over its receivers.
const (
	// flagMuted: per signal, some context has named it in Mute or Unmute;
	// global, MuteAll has been called. Set once, never cleared.
	flagMuted uint32 = 1 << iota
	// flagStats: global, EnableStats(true).
	flagStats
	// flagTrace: global, at least one trace is recording.
	flagTrace
	// flagObserve: global, at least one Observer is installed.
	flagObserve
)

// globalFlags holds the global bits; core.flags the per-signal ones.
var globalFlags atomic.Uint32

// flagsMu serialises the changes of the global bits that depend on a count
// (traces, observers), so that a bit is never cleared while its count is
// positive.
var flagsMu sync.Mutex

// setGlobalFlag sets or clears bit. Callers that derive bit from a count
// hold flagsMu.
func setGlobalFlag(bit uint32, on bool) {
	if on {
		globalFlags.Or(bit)
	} else {
		globalFlags.And(^bit)
	}
}

// slow reports whether sends of c must take the slow path.
func (c *core) slow() bool {
	return c.flags.Load()|globalFlags.Load() != 0
}
