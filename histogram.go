package signals

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histogram is a lock-free latency histogram in nanoseconds: one bucket per
// value below 16 ns, then 8 buckets per power of two up to 2^40 ns (about
// 18 minutes; longer calls land in the last bucket). A quantile is
// reported as the middle of its bucket, within 6% of the true value.
type histogram struct {
	counts [histBuckets]atomic.Uint64
}

const (
	histLinear  = 16 // values below have a bucket each
	histSub     = 8  // buckets per power of two above
	histMaxBits = 40
	histBuckets = histLinear + (histMaxBits-4)*histSub
)

// bucketOf returns the bucket of ns.
func bucketOf(ns uint64) int {
	if ns < histLinear {
		return int(ns)
	}
	e := bits.Len64(ns) // >= 5
	if e > histMaxBits {
		return histBuckets - 1
	}
	sub := int(ns>>(e-4)) & (histSub - 1) // the 3 bits after the leading 1
	return histLinear + (e-5)*histSub + sub
}

// bucketRange returns the smallest value of bucket i and its width.
func bucketRange(i int) (low, width uint64) {
	if i < histLinear {
		return uint64(i), 1
	}
	e := (i-histLinear)/histSub + 5
	sub := uint64((i - histLinear) % histSub)
	return (histSub + sub) << (e - 4), 1 << (e - 4)
}

func (h *histogram) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))].Add(1)
}

// quantiles returns the q-quantiles of the recorded values (each q in
// [0, 1]), 0 when nothing was recorded.
func (h *histogram) quantiles(qs ...float64) []time.Duration {
	var counts [histBuckets]uint64
	var total uint64
	for i := range counts {
		counts[i] = h.counts[i].Load()
		total += counts[i]
	}
	out := make([]time.Duration, len(qs))
	if total == 0 {
		return out
	}
	for j, q := range qs {
		rank := uint64(q*float64(total) + 0.5)
		rank = min(max(rank, 1), total)
		var seen uint64
		for i, c := range counts {
			seen += c
			if seen >= rank {
				low, width := bucketRange(i)
				out[j] = time.Duration(low + width/2)
				break
			}
		}
	}
	return out
}
