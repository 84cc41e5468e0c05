package benchmarks

import (
	"context"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gosignals/signals/benchmarks/workload"
)

// Receiver counts of the dispatch benchmarks (Django: the same).
var sendSizes = []int{0, 1, 10}

func noop(context.Context, workload.Event) error { return nil }

// BenchmarkSend sends one event to n no-op receivers, synchronously.
func BenchmarkSend(b *testing.B) {
	ctx := context.Background()
	b.Run("gosignals", func(b *testing.B) {
		for _, n := range sendSizes {
			b.Run(fmt.Sprintf("r=%d", n), func(b *testing.B) {
				s := workload.NewSignal(n, noop)
				b.ReportAllocs()
				for b.Loop() {
					if err := s.Send(ctx, workload.Sender, workload.Sample); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
	b.Run("loop", func(b *testing.B) {
		for _, n := range sendSizes {
			b.Run(fmt.Sprintf("r=%d", n), func(b *testing.B) {
				fns := workload.NewLoop(n, noop)
				b.ReportAllocs()
				for b.Loop() {
					for _, fn := range fns {
						if err := fn(ctx, workload.Sample); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	})
	b.Run("eventbus", func(b *testing.B) {
		for _, n := range sendSizes {
			b.Run(fmt.Sprintf("r=%d", n), func(b *testing.B) {
				bus, err := workload.NewEventBus(n, func(workload.Event) {})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					bus.Publish(workload.Topic, workload.Sample)
				}
			})
		}
	})
}

// BenchmarkSendAsync delivers one event to n receivers concurrently and
// waits for all of them.
func BenchmarkSendAsync(b *testing.B) {
	ctx := context.Background()
	sizes := []int{1, 10}
	b.Run("gosignals", func(b *testing.B) {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("r=%d", n), func(b *testing.B) {
				s := workload.NewSignal(n, noop)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.SendAsync(ctx, workload.Sender, workload.Sample); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
	b.Run("watermill", func(b *testing.B) {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("r=%d", n), func(b *testing.B) {
				g, err := workload.NewGoChannel(n, func(*message.Message) {})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { g.Close() })
				msg := workload.NewMessage(workload.Sample)
				b.ReportAllocs()
				for b.Loop() {
					if err := g.Publish(workload.Topic, msg); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}
