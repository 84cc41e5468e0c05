package signals_test

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/gosignals/signals"
)

// The benchmarks send to N no-op receivers. BenchmarkPlainLoop calls the
// same number of func values in a plain loop: the floor any dispatcher is
// measured against. Run them with
//
//	go test -run '^$' -bench . -benchmem .
//
// (-run '^$' keeps the tests, some of which mute signals, out of the
// benchmark process.)

type benchEv struct{ n int }

func noop(_ context.Context, ev *benchEv) error {
	ev.n++
	return nil
}

var benchSizes = []int{0, 1, 10, 100}

// benchSignal returns a signal with n receivers for sender (nil: for every
// sender) and, when sender is not nil, receivers for 16 other senders of
// the same kind, so that finding the sender's receivers is a real look-up.
func benchSignal(n int, sender any) *signals.Signal[*benchEv] {
	s := signals.New[*benchEv]("bench")
	for i := range n {
		// One function connected n times: a UID each, or it is one receiver.
		s.ConnectFunc(noop, signals.Sender(sender), signals.UID(strconv.Itoa(i)))
	}
	for i := range 16 {
		switch sender.(type) {
		case reflect.Type:
			s.ConnectFunc(noop, signals.Sender(reflect.ArrayOf(i+1, reflect.TypeFor[int]())))
		case string:
			s.ConnectFunc(noop, signals.Sender(fmt.Sprint("other.", i)))
		}
	}
	return s
}

func BenchmarkPlainLoop(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			fns := make([]func(context.Context, *benchEv) error, n)
			for i := range fns {
				fns[i] = noop
			}
			ctx, ev := context.Background(), &benchEv{}
			b.ReportAllocs()
			for b.Loop() {
				for _, fn := range fns {
					if err := fn(ctx, ev); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func BenchmarkSend(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			s := benchSignal(n, nil)
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

// BenchmarkSendSender sends from a model-type sender (a reflect.Type, as
// model signals do) whose receivers were connected with Sender, among 16
// other senders.
func BenchmarkSendSender(b *testing.B) {
	benchSendSender(b, reflect.TypeFor[Book]())
}

// BenchmarkSendSenderString is BenchmarkSendSender with string senders,
// which go through a Go map instead of the pointer index.
func BenchmarkSendSenderString(b *testing.B) {
	benchSendSender(b, "shop.Book")
}

func benchSendSender(b *testing.B, sender any) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			s := benchSignal(n, sender)
			ctx, ev := context.Background(), &benchEv{}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Send(ctx, sender, ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSendRobust(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			s := benchSignal(n, nil)
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

func BenchmarkSendAsync(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			s := signals.New[*benchEv]("bench")
			for i := range n {
				s.ConnectFunc(func(context.Context, *benchEv) error { return nil }, signals.UID(strconv.Itoa(i)))
			}
			ctx, ev := context.Background(), &benchEv{}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.SendAsync(ctx, nil, ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSendParallel(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) {
			s := benchSignal(n, nil)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx, ev := context.Background(), &benchEv{}
				for pb.Next() {
					if err := s.Send(ctx, nil, ev); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func BenchmarkHasListeners(b *testing.B) {
	sender := reflect.TypeFor[Book]()
	s := benchSignal(1, sender)
	b.ReportAllocs()
	for b.Loop() {
		if !s.HasListeners(sender) {
			b.Fatal("no listeners")
		}
	}
}

// BenchmarkSendMutedSignal measures a send of a signal that some context
// has muted (so every send consults its context), with an unmuted context
// four values deep, as in an HTTP handler.
func BenchmarkSendMutedSignal(b *testing.B) {
	s := benchSignal(1, nil)
	_ = signals.Mute(context.Background(), s)
	type k int
	ctx := context.Background()
	for i := range 4 {
		ctx = context.WithValue(ctx, k(i), i)
	}
	ev := &benchEv{}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Send(ctx, nil, ev); err != nil {
			b.Fatal(err)
		}
	}
}
