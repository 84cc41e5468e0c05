// Command cgsend is a fixed dispatch workload whose instructions callgrind
// counts: n sends of one event to k no-op receivers through one of
//
//	loop      a plain loop over k func values (the floor)
//	send      Signal.Send, receivers connected for every sender
//	sender    Signal.Send from a reflect.Type sender whose receivers were
//	          connected with signals.Sender, among 16 other senders
//	robust    Signal.SendRobust
//	eventbus  asaskevich/EventBus Publish
//
// as the root module's BenchmarkPlainLoop, BenchmarkSend,
// BenchmarkSendSender and BenchmarkSendRobust do. Usage:
//
//	cgsend IMPL K N
//
// Only the sends are counted (package benchmarks/internal/callgrind switches
// callgrind's collection on around them). Run it as
// benchmarks/cmd/instructions does:
//
//	CGO_ENABLED=0 go build -o cgsend ./cmd/cgsend
//	GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind \
//		--collect-atstart=no ./cgsend send 10 100000
//
// After the sends it prints one line, "ops=N rows=0 mallocs=M bytes=B", the
// heap allocations being those the sends made, and it exits with status 1
// if the receivers were not called k×n times.
//
// The program uses only the public API of the signals module, so that
// instructions -base can build it, copied with internal/callgrind, against
// an older commit.
package main

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strconv"

	EventBus "github.com/asaskevich/EventBus"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/benchmarks/internal/callgrind"
)

const usage = "usage: cgsend loop|send|sender|robust|eventbus K N"

type event struct{ n int }

// Book stands for a model: the sender of the sender-filtered sends.
type Book struct{}

func noop(_ context.Context, e *event) error {
	e.n++
	return nil
}

func main() {
	if err := execute(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cgsend:", err)
		os.Exit(1)
	}
}

func execute(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("%d arguments\n%s", len(args), usage)
	}
	impl := args[0]
	k, err := strconv.Atoi(args[1])
	if err != nil || k < 0 {
		return fmt.Errorf("the receivers K must be an integer ≥ 0, not %q\n%s", args[1], usage)
	}
	n, err := strconv.Atoi(args[2])
	if err != nil || n < 1 {
		return fmt.Errorf("the count N must be a positive integer, not %q\n%s", args[2], usage)
	}
	measured, err := prepare(impl, k, n)
	if err != nil {
		return err
	}
	e := &event{}
	a, err := callgrind.Measure(func() error { return measured(e) })
	if err != nil {
		return err
	}
	fmt.Printf("ops=%d rows=0 mallocs=%d bytes=%d\n", n, a.Mallocs, a.Bytes)
	if e.n != k*n {
		return fmt.Errorf("%s: the receivers were called %d times, want %d", impl, e.n, k*n)
	}
	return nil
}

// prepare connects k receivers to impl and returns the measured function.
func prepare(impl string, k, n int) (func(*event) error, error) {
	switch impl {
	case "loop":
		fns := make([]func(context.Context, *event) error, k)
		for i := range fns {
			fns[i] = noop
		}
		return func(e *event) error { return runLoop(fns, n, e) }, nil
	case "send", "robust":
		s := signals.New[*event]("cgsend")
		// A UID each: connecting one func value twice registers it once.
		for i := range k {
			s.ConnectFunc(noop, signals.UID(strconv.Itoa(i)))
		}
		if impl == "robust" {
			return func(e *event) error { return runRobust(s, n, e) }, nil
		}
		return func(e *event) error { return runSend(s, nil, n, e) }, nil
	case "sender":
		s := signals.New[*event]("cgsend")
		sender := reflect.TypeFor[Book]()
		for i := range k {
			s.ConnectFunc(noop, signals.Sender(sender), signals.UID(strconv.Itoa(i)))
		}
		for i := range 16 {
			s.ConnectFunc(noop, signals.Sender(reflect.ArrayOf(i+1, reflect.TypeFor[int]())))
		}
		return func(e *event) error { return runSend(s, sender, n, e) }, nil
	case "eventbus":
		bus := EventBus.New()
		for range k {
			// Distinct closures: the bus tells handlers apart by func pointer.
			if err := bus.Subscribe("t", func(e *event) { e.n++ }); err != nil {
				return nil, err
			}
		}
		return func(e *event) error { runEventBus(bus, n, e); return nil }, nil
	}
	return nil, fmt.Errorf("unknown implementation %q\n%s", impl, usage)
}

// runLoop calls fns n times: the floor.
func runLoop(fns []func(context.Context, *event) error, n int, e *event) error {
	ctx := context.Background()
	for range n {
		for _, fn := range fns {
			if err := fn(ctx, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// runSend sends e from sender n times.
func runSend(s *signals.Signal[*event], sender any, n int, e *event) error {
	ctx := context.Background()
	for range n {
		if err := s.Send(ctx, sender, e); err != nil {
			return err
		}
	}
	return nil
}

// runRobust sends e n times with SendRobust.
func runRobust(s *signals.Signal[*event], n int, e *event) error {
	ctx := context.Background()
	for range n {
		if err := s.SendRobust(ctx, nil, e); err != nil {
			return err
		}
	}
	return nil
}

// runEventBus publishes e n times.
func runEventBus(bus EventBus.Bus, n int, e *event) {
	for range n {
		bus.Publish("t", e)
	}
}
