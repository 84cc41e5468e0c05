package signals

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// ReceiverStats are the statistics of one receiver since statistics were
// enabled (or reset), returned by [Signal.Stats].
type ReceiverStats struct {
	Receiver ReceiverInfo
	// Calls counts the calls; Errors those that returned an error and
	// Panics those that panicked (recovered or not).
	Calls, Errors, Panics uint64
	// Measured is the number of calls whose duration was measured: one in
	// [SetLatencySampling] calls, and every call of a traced or observed
	// send, except calls that panicked. The durations below are computed
	// from them.
	Measured uint64
	// Mean and Max are exact over the measured calls; P50 and P99 are
	// within 6%.
	Mean, P50, P99, Max time.Duration
}

// recvStats are the counters of one receiver, allocated on its first call
// with statistics on.
type recvStats struct {
	calls, errors, panics atomic.Uint64
	measured, sum, max    atomic.Uint64
	hist                  histogram
}

// latencyMask is SetLatencySampling's n minus one (n a power of two): a
// call is timed when (its number - 1) & latencyMask == 0, which includes a
// receiver's first call.
var latencyMask atomic.Uint64

// DefaultLatencySampling is how often statistics time a call by default:
// one call in 64, which keeps the cost of statistics to a few nanoseconds
// per call. Reading the clock costs more than a call to a small receiver.
const DefaultLatencySampling = 64

func init() { latencyMask.Store(DefaultLatencySampling - 1) }

// EnableStats switches the per-receiver statistics of every signal on or
// off. While off (the default), nothing is counted and sends pay nothing
// for it. Turning them off keeps what was counted; [ResetStats] clears it.
//
// With statistics on, each receiver call is counted (one atomic addition,
// plus a deferred check that counts panics) and one call in
// [SetLatencySampling] is timed.
func EnableStats(on bool) {
	setGlobalFlag(flagStats, on)
}

// StatsEnabled reports whether statistics are on.
func StatsEnabled() bool { return globalFlags.Load()&flagStats != 0 }

// SetLatencySampling makes statistics time one receiver call in n (rounded
// up to a power of two; n <= 1 times every call). The default is
// [DefaultLatencySampling].
func SetLatencySampling(n int) {
	if n <= 1 {
		latencyMask.Store(0)
		return
	}
	latencyMask.Store(1<<bits.Len64(uint64(n-1)) - 1)
}

// ResetStats clears the statistics of every signal listed by [All].
func ResetStats() {
	for _, s := range All() {
		s.resetStats()
	}
}

func (st *recvStats) record(o Outcome, d time.Duration, timed bool) {
	switch o {
	case OutcomeError:
		st.errors.Add(1)
	case OutcomePanic:
		st.panics.Add(1)
	}
	if timed {
		st.time(d)
	}
}

// time records the duration of one measured call.
func (st *recvStats) time(d time.Duration) {
	ns := uint64(max(d, 0))
	st.measured.Add(1)
	st.sum.Add(ns)
	for {
		m := st.max.Load()
		if ns <= m || st.max.CompareAndSwap(m, ns) {
			break
		}
	}
	st.hist.add(d)
}

// recvStats returns e's counters, allocating them on first use.
func (e *entry[T]) recvStats() *recvStats {
	if st := e.stats.Load(); st != nil {
		return st
	}
	e.stats.CompareAndSwap(nil, new(recvStats))
	return e.stats.Load()
}

func (e *entry[T]) statsSnapshot() ReceiverStats {
	out := ReceiverStats{Receiver: e.info}
	st := e.stats.Load()
	if st == nil {
		return out
	}
	out.Calls, out.Errors, out.Panics = st.calls.Load(), st.errors.Load(), st.panics.Load()
	out.Measured = st.measured.Load()
	if out.Measured > 0 {
		out.Mean = time.Duration(st.sum.Load() / out.Measured)
		out.Max = time.Duration(st.max.Load())
		q := st.hist.quantiles(0.5, 0.99)
		out.P50, out.P99 = q[0], q[1]
	}
	return out
}

// Stats returns the statistics of every connected receiver, in the order
// of [Signal.Receivers]. Receivers never called (or called while statistics
// were off) have zero counts. Statistics belong to a connection: they
// disappear when the receiver is disconnected.
func (s *Signal[T]) Stats() []ReceiverStats {
	if s == nil {
		return nil
	}
	p := s.snap.Load()
	if p == nil {
		return nil
	}
	out := make([]ReceiverStats, len(p.ordered))
	for i, e := range p.ordered {
		out[i] = e.statsSnapshot()
	}
	return out
}

func (s *Signal[T]) resetStats() {
	if p := s.snap.Load(); p != nil {
		for _, e := range p.ordered {
			e.stats.Store(nil)
		}
	}
}
