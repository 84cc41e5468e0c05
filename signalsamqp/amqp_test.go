package signalsamqp_test

import (
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsamqp"
	"github.com/gosignals/signals/signalswatermill/wmtest"
)

func amqpURL() string {
	return wmtest.Env("SIGNALS_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
}

// The transport conformance suite on the RabbitMQ at SIGNALS_AMQP_URL.
func TestSuite(t *testing.T) {
	u, err := url.Parse(amqpURL())
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", u.Host, 3*time.Second)
	wmtest.Require(t, "RabbitMQ at "+u.Host, err)
	c.Close()
	wmtest.Run(t, func(t *testing.T) wmtest.Broker {
		cfg := signalsamqp.Config{URL: amqpURL(), TopicPrefix: wmtest.Unique("t") + ".", Logger: wmtest.Quiet}
		var declared []outbox.Receiver
		t.Cleanup(func() { removeTopology(t, cfg, declared) })
		return wmtest.Broker{
			TopicPrefix: cfg.TopicPrefix,
			Publisher:   func() (message.Publisher, error) { return signalsamqp.Publisher(cfg) },
			Subscriber: func(r outbox.Receiver) (message.Subscriber, error) {
				declared = append(declared, r)
				return signalsamqp.Subscriber(cfg)(r)
			},
		}
	})
}

// removeTopology deletes the queues and exchanges a test (or, with a nil
// t, an example) declared on the shared broker.
func removeTopology(t *testing.T, cfg signalsamqp.Config, receivers []outbox.Receiver) {
	conn, err := amqp.Dial(cfg.URL)
	if err != nil {
		if t != nil {
			t.Logf("cleaning up RabbitMQ: %v", err)
		}
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	defer ch.Close()
	for _, r := range receivers {
		_, _ = ch.QueueDelete(cfg.Queue(r.Name), false, false, false)
		_ = ch.ExchangeDelete(cfg.TopicPrefix+r.Topic(), false, false)
	}
}
