package signalsamqp_test

import (
	"fmt"
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

// requireBroker fails (under CI) or skips the test when RabbitMQ is not
// reachable.
func requireBroker(t *testing.T) {
	t.Helper()
	u, err := url.Parse(amqpURL())
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", u.Host, 3*time.Second)
	wmtest.Require(t, "RabbitMQ at "+u.Host, err)
	c.Close()
}

// waiting returns the number of messages in queue.
func waiting(cfg signalsamqp.Config, queue string) (int, error) {
	conn, err := amqp.Dial(cfg.URL)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return 0, err
	}
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	return q.Messages, err
}

// publish publishes one event to the topic of r, as the relay does.
func publish(cfg signalsamqp.Config, r outbox.Receiver) error {
	pub, err := signalsamqp.Publisher(cfg)
	if err != nil {
		return err
	}
	defer pub.Close()
	return pub.Publish(cfg.TopicPrefix+r.Topic(), message.NewMessage(outbox.NewID(), []byte(`{}`)))
}

// Declare makes the receivers' queues before any worker runs, so that the
// events relayed in the meantime wait in them: RabbitMQ drops what is
// published to an exchange no queue is bound to.
func TestDeclareKeepsEventsRelayedBeforeTheWorkers(t *testing.T) {
	requireBroker(t)
	cfg := signalsamqp.Config{URL: amqpURL(), TopicPrefix: wmtest.Unique("t") + ".", Logger: wmtest.Quiet}
	declared := outbox.Receiver{Name: "mail.welcome", Signal: "post_save", Model: "shop.User"}
	late := outbox.Receiver{Name: "mail.late", Signal: "post_save", Model: "shop.Order"}
	t.Cleanup(func() { removeTopology(t, cfg, []outbox.Receiver{declared, late}) })

	if err := signalsamqp.Declare(cfg, declared); err != nil {
		t.Fatal(err)
	}
	if err := publish(cfg, declared); err != nil {
		t.Fatal(err)
	}
	if err := publish(cfg, late); err != nil {
		t.Fatal(err)
	}
	if n, err := waiting(cfg, cfg.Queue(declared.Name)); err != nil || n != 1 {
		t.Fatalf("declared queue holds %d events (%v), want 1", n, err)
	}
	// Without Declare, the event published before the worker subscribed is lost.
	if err := signalsamqp.Declare(cfg, late); err != nil {
		t.Fatal(err)
	}
	if n, err := waiting(cfg, cfg.Queue(late.Name)); err != nil || n != 0 {
		t.Fatalf("queue declared late holds %d events (%v), want 0", n, err)
	}

	// An unreachable broker is an error.
	bad := cfg
	bad.URL = "amqp://guest:guest@127.0.0.1:1/"
	if err := signalsamqp.Declare(bad, declared); err == nil {
		t.Fatal("Declare with no broker succeeded")
	}
}

// A deployment that starts the relay before the workers declares the
// receivers' queues first, so that no event is lost in between. (This
// example needs the RabbitMQ at SIGNALS_AMQP_URL, as the tests do.)
func ExampleDeclare() {
	cfg := signalsamqp.Config{URL: amqpURL(), TopicPrefix: "example.", Logger: wmtest.Quiet}
	welcome := outbox.Receiver{Name: "mail.welcome", Signal: "post_save", Model: "shop.User"}
	removeTopology(nil, cfg, []outbox.Receiver{welcome}) // from an earlier run
	defer removeTopology(nil, cfg, []outbox.Receiver{welcome})

	if err := signalsamqp.Declare(cfg, welcome); err != nil {
		fmt.Println(err)
		return
	}
	_ = publish(cfg, welcome) // the relay, before any worker runs

	n, err := waiting(cfg, cfg.Queue(welcome.Name))
	fmt.Println(cfg.Queue(welcome.Name), n, err)
	// Output:
	// example.mail.welcome 1 <nil>
}
