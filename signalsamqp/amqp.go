// Package signalsamqp is the RabbitMQ (AMQP 0.9.1) transport of durable
// receivers, with watermill-amqp: the relay publishes each event to a
// durable fanout exchange named after its topic, waiting for the broker's
// confirmation, and each receiver has a durable queue of its own bound to
// it. RabbitMQ does not de-duplicate: an event the relay re-sends after a
// crash reaches the receivers twice, with the same event ID, which
// idempotent receivers (outboxgorm.Once) absorb.
package signalsamqp

import (
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
	wmamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gosignals/signals/outbox"
)

// Config describes the broker.
type Config struct {
	// URL is the AMQP URI, e.g. amqp://guest:guest@127.0.0.1:5672/.
	URL string
	// TopicPrefix must be the outbox's (signalswatermill.SQLOutbox); it also
	// prefixes the queues.
	TopicPrefix string
	// Logger receives Watermill's logs; default slog.Default().
	Logger *slog.Logger
}

func (c Config) logger() watermill.LoggerAdapter {
	if c.Logger == nil {
		return watermill.NewSlogLogger(slog.Default())
	}
	return watermill.NewSlogLogger(c.Logger)
}

// Queue returns the name of a receiver's queue.
func (c Config) Queue(receiver string) string { return c.TopicPrefix + receiver }

// Publisher returns the relay's publisher: persistent messages to the
// topic's durable exchange, each publish waiting for the broker's confirm.
func Publisher(cfg Config) (message.Publisher, error) {
	c := wmamqp.NewDurablePubSubConfig(cfg.URL, nil)
	c.Publish.ConfirmDelivery = true
	c.Publish.ChannelPoolSize = 1
	pub, err := wmamqp.NewPublisher(c, cfg.logger())
	if err != nil {
		return nil, fmt.Errorf("signalsamqp: %w", err)
	}
	return pub, nil
}

// Subscriber returns the worker's subscriber factory: it declares the
// receiver's durable queue and binds it to the topic's exchange at once, so
// that the events relayed before the worker first subscribes wait in it.
func Subscriber(cfg Config) func(r outbox.Receiver) (message.Subscriber, error) {
	return func(r outbox.Receiver) (message.Subscriber, error) {
		queue := cfg.Queue(r.Name)
		c := wmamqp.NewDurablePubSubConfig(cfg.URL, func(string) string { return queue })
		sub, err := wmamqp.NewSubscriber(c, cfg.logger())
		if err != nil {
			return nil, fmt.Errorf("signalsamqp: %w", err)
		}
		if err := sub.SubscribeInitialize(cfg.TopicPrefix + r.Topic()); err != nil {
			_ = sub.Close()
			return nil, fmt.Errorf("signalsamqp: declaring the queue of %s: %w", r.Name, err)
		}
		return sub, nil
	}
}

// Declare declares the durable queue of each receiver and binds it to its
// topic's exchange, ahead of the workers. RabbitMQ drops what is published
// to an exchange no queue is bound to, so a deployment whose relay may
// publish before every worker has subscribed once calls Declare first (at
// deploy time, or when the relay starts); the events relayed in between
// then wait in the queues.
func Declare(cfg Config, receivers ...outbox.Receiver) error {
	for _, r := range receivers {
		sub, err := Subscriber(cfg)(r)
		if err != nil {
			return err
		}
		_ = sub.Close()
	}
	return nil
}
