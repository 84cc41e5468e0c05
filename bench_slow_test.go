package signals_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gosignals/signals"
)

// BenchmarkSendStats is BenchmarkSend with statistics on (the default
// sampling: one call in 64 timed). The cost of statistics per receiver
// call is (ns/op here - ns/op of BenchmarkSend) / receivers; with
// sampling=1 every call is timed.
func BenchmarkSendStats(b *testing.B) {
	for _, sampling := range []int{signals.DefaultLatencySampling, 1} {
		for _, n := range []int{1, 10, 100} {
			b.Run(fmt.Sprintf("sampling=%d/receivers=%d", sampling, n), func(b *testing.B) {
				s := benchSignal(n, nil)
				signals.SetLatencySampling(sampling)
				signals.EnableStats(true)
				b.Cleanup(func() {
					signals.EnableStats(false)
					signals.SetLatencySampling(signals.DefaultLatencySampling)
				})
				ctx, ev := context.Background(), &benchEv{}
				b.ReportAllocs()
				for b.Loop() {
					if err := s.Send(ctx, nil, ev); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkSendRobustStats is BenchmarkSendRobust with statistics on.
func BenchmarkSendRobustStats(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			s := benchSignal(n, nil)
			signals.EnableStats(true)
			b.Cleanup(func() { signals.EnableStats(false) })
			ctx, ev := context.Background(), &benchEv{}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.SendRobust(ctx, nil, ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSendTraced sends with a context that records a trace: each
// receiver call becomes a step (and a context for what it does).
func BenchmarkSendTraced(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			s := benchSignal(n, nil)
			ev := &benchEv{}
			b.ReportAllocs()
			for b.Loop() {
				ctx, tr := signals.StartTrace(context.Background(), "bench")
				if err := s.Send(ctx, nil, ev); err != nil {
					b.Fatal(err)
				}
				tr.Stop()
			}
		})
	}
}

type nopObserver struct{}

func (nopObserver) SendStart(ctx context.Context, _ *signals.SendInfo) context.Context { return ctx }
func (nopObserver) SendEnd(context.Context, *signals.SendInfo, signals.EndInfo)        {}
func (nopObserver) ReceiverStart(ctx context.Context, _ *signals.SendInfo, _ *signals.ReceiverInfo) context.Context {
	return ctx
}
func (nopObserver) ReceiverEnd(context.Context, *signals.SendInfo, *signals.ReceiverInfo, signals.EndInfo) {
}

// BenchmarkSendObserved sends with an Observer that does nothing: the cost
// of the hook itself (every call is timed for the observer).
func BenchmarkSendObserved(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			s := benchSignal(n, nil)
			stop := signals.Observe(nopObserver{})
			b.Cleanup(stop)
			ctx, ev := context.Background(), &benchEv{}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Send(ctx, nil, ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
