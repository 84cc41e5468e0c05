package workload

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	EventBus "github.com/asaskevich/EventBus"

	"github.com/gosignals/signals"
)

// The dispatcher workload: one event sent to n receivers, as the Django
// script's Signal.send(sender=Sender, id=1, name="dune") to n receivers.
// Each constructor takes the receiver body, so that the benchmarks use no-op
// receivers and the tests counting ones.

// Event is the dispatched event: the payload Django passes as keyword
// arguments.
type Event struct {
	ID   int
	Name string
}

// Sample is the event every send carries.
var Sample = Event{ID: 1, Name: "dune"}

// sender stands for Django's sender class.
type sender struct{}

// Sender is the sender every send names; the receivers are connected for
// every sender, as Django's are without sender=.
var Sender = &sender{}

// Topic is the topic of the string-keyed buses.
const Topic = "book.saved"

// NewSignal returns a signal with n receivers calling fn.
func NewSignal(n int, fn func(context.Context, Event) error) *signals.Signal[Event] {
	s := signals.New[Event]("bench")
	for i := range n {
		// One func value is one receiver: a UID each connects it n times.
		s.ConnectFunc(fn, signals.UID(strconv.Itoa(i)))
	}
	return s
}

// NewLoop returns n func values calling fn: a plain loop over them is the
// floor any dispatcher is measured against.
func NewLoop(n int, fn func(context.Context, Event) error) []func(context.Context, Event) error {
	fns := make([]func(context.Context, Event) error, n)
	for i := range fns {
		fns[i] = fn
	}
	return fns
}

// NewEventBus returns an asaskevich/EventBus bus with n handlers of Topic
// calling fn.
func NewEventBus(n int, fn func(Event)) (EventBus.Bus, error) {
	bus := EventBus.New()
	for range n {
		// Distinct closures: the bus tells handlers apart by func pointer.
		if err := bus.Subscribe(Topic, func(ev Event) { fn(ev) }); err != nil {
			return nil, fmt.Errorf("workload: EventBus.Subscribe: %w", err)
		}
	}
	return bus, nil
}

// GoChannel is a Watermill gochannel pub/sub with n subscribers of Topic,
// each a goroutine that calls its handler and acks. Publish blocks until
// every subscriber acked (BlockPublishUntilSubscriberAck), so a publish is
// a complete asynchronous delivery, as [signals.Signal.SendAsync] is.
type GoChannel struct {
	*gochannel.GoChannel
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewGoChannel returns a GoChannel whose n subscribers call fn with each
// message.
func NewGoChannel(n int, fn func(*message.Message)) (*GoChannel, error) {
	ctx, cancel := context.WithCancel(context.Background())
	g := &GoChannel{
		GoChannel: gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, watermill.NopLogger{}),
		cancel:    cancel,
	}
	for range n {
		ch, err := g.Subscribe(ctx, Topic)
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("workload: gochannel.Subscribe: %w", err)
		}
		g.wg.Go(func() {
			for msg := range ch {
				fn(msg)
				msg.Ack()
			}
		})
	}
	return g, nil
}

// Close stops the subscribers and the pub/sub.
func (g *GoChannel) Close() error {
	g.cancel()
	err := g.GoChannel.Close()
	g.wg.Wait()
	return err
}

// NewMessage returns the Watermill message of ev. Watermill carries bytes;
// the benchmarks encode the event once, outside the timed loop, and pass
// the same message each time (Publish copies it per subscriber).
func NewMessage(ev Event) *message.Message {
	return message.NewMessage("1", []byte(strconv.Itoa(ev.ID)+","+ev.Name))
}
