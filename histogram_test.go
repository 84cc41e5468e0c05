package signals

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramBuckets(t *testing.T) {
	prev := -1
	for _, ns := range []uint64{0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 1 << 20, 1<<40 - 1} {
		i := bucketOf(ns)
		if i < prev {
			t.Fatalf("bucketOf(%d) = %d < bucketOf of a smaller value (%d)", ns, i, prev)
		}
		prev = i
		low, width := bucketRange(i)
		if ns < low || ns >= low+width {
			t.Fatalf("bucketOf(%d) = %d covering [%d, %d)", ns, i, low, low+width)
		}
		if ns >= histLinear && float64(width)/float64(low) > 1.0/histSub+1e-9 {
			t.Fatalf("bucket %d [%d, +%d) is wider than 1/%d of its values", i, low, width, histSub)
		}
	}
	if got := bucketOf(1 << 50); got != histBuckets-1 {
		t.Fatalf("bucketOf(2^50) = %d, want the last bucket %d", got, histBuckets-1)
	}
	// Consecutive buckets tile the line.
	for i := 0; i+1 < histBuckets; i++ {
		low, width := bucketRange(i)
		next, _ := bucketRange(i + 1)
		if low+width != next {
			t.Fatalf("bucket %d ends at %d, bucket %d starts at %d", i, low+width, i+1, next)
		}
	}
}

// The quantiles of random latencies are within 6.25% of the exact ones.
func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	r := rand.New(rand.NewPCG(1, 2))
	var values []time.Duration
	for range 10000 {
		d := time.Duration(r.ExpFloat64() * float64(50*time.Microsecond))
		values = append(values, d)
		h.add(d)
	}
	slices.Sort(values)
	for _, q := range []float64{0.5, 0.9, 0.99} {
		exact := values[int(q*float64(len(values)))-1]
		got := h.quantiles(q)[0]
		if diff := float64(got-exact) / float64(exact); diff > 0.0625 || diff < -0.0625 {
			t.Errorf("q%.2f = %v, exact %v (%.1f%% off)", q, got, exact, diff*100)
		}
	}
	var empty histogram
	if got := empty.quantiles(0.5); got[0] != 0 {
		t.Fatalf("quantile of an empty histogram = %v", got[0])
	}
}
