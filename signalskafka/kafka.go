// Package signalskafka is the Kafka transport of durable receivers, with
// watermill-kafka: the relay publishes each event to the Kafka topic of its
// signal and model, partitioned by model and primary key, so that the
// events of one row stay in order; each receiver consumes in a consumer
// group of its own. Kafka does not de-duplicate a relay's re-sends: the
// receivers get them with the same event ID.
//
// No Kafka broker runs where this project is tested: the package is built,
// vetted, and its tests check the configuration and that a missing broker
// is reported, nothing more.
package signalskafka

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill"
	wmkafka "github.com/ThreeDotsLabs/watermill-kafka/v3/pkg/kafka"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gosignals/signals/outbox"
)

// Config describes the cluster.
type Config struct {
	Brokers []string
	// TopicPrefix must be the outbox's (signalswatermill.SQLOutbox); it also
	// prefixes the consumer groups.
	TopicPrefix string
	// Sarama overrides the client configuration; default: watermill-kafka's,
	// with acknowledgements from every in-sync replica.
	Sarama *sarama.Config
	// Logger receives Watermill's logs; default slog.Default().
	Logger *slog.Logger
}

func (c Config) logger() watermill.LoggerAdapter {
	if c.Logger == nil {
		return watermill.NewSlogLogger(slog.Default())
	}
	return watermill.NewSlogLogger(c.Logger)
}

// PartitionKey is the partition key of an event's message: its model and
// primary key, from the message's metadata.
func PartitionKey(_ string, msg *message.Message) (string, error) {
	return msg.Metadata.Get("model") + "#" + msg.Metadata.Get("pk"), nil
}

// ConsumerGroup returns the consumer group of a receiver.
func (c Config) ConsumerGroup(receiver string) string { return c.TopicPrefix + receiver }

func (c Config) sarama() *sarama.Config {
	if c.Sarama != nil {
		return c.Sarama
	}
	s := wmkafka.DefaultSaramaSyncPublisherConfig()
	s.Producer.RequiredAcks = sarama.WaitForAll
	s.Consumer.Offsets.Initial = sarama.OffsetOldest
	return s
}

// Publisher returns the relay's publisher.
func Publisher(cfg Config) (message.Publisher, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("signalskafka: no brokers")
	}
	pub, err := wmkafka.NewPublisher(wmkafka.PublisherConfig{
		Brokers:               cfg.Brokers,
		Marshaler:             wmkafka.NewWithPartitioningMarshaler(PartitionKey),
		OverwriteSaramaConfig: cfg.sarama(),
	}, cfg.logger())
	if err != nil {
		return nil, fmt.Errorf("signalskafka: %w", err)
	}
	return pub, nil
}

// Subscriber returns the worker's subscriber factory: one consumer group
// per receiver.
func Subscriber(cfg Config) func(r outbox.Receiver) (message.Subscriber, error) {
	return func(r outbox.Receiver) (message.Subscriber, error) {
		if len(cfg.Brokers) == 0 {
			return nil, errors.New("signalskafka: no brokers")
		}
		sub, err := wmkafka.NewSubscriber(wmkafka.SubscriberConfig{
			Brokers:               cfg.Brokers,
			Unmarshaler:           wmkafka.NewWithPartitioningMarshaler(PartitionKey),
			OverwriteSaramaConfig: cfg.sarama(),
			ConsumerGroup:         cfg.ConsumerGroup(r.Name),
		}, cfg.logger())
		if err != nil {
			return nil, fmt.Errorf("signalskafka: %w", err)
		}
		return sub, nil
	}
}
