package signalskafka_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalskafka"
)

func TestPartitionKey(t *testing.T) {
	msg := message.NewMessage(outbox.NewID(), nil)
	msg.Metadata.Set("model", "shop.Order")
	msg.Metadata.Set("pk", "42")
	if k, err := signalskafka.PartitionKey("t", msg); err != nil || k != "shop.Order#42" {
		t.Fatalf("PartitionKey = %q, %v", k, err)
	}
	if g := (signalskafka.Config{TopicPrefix: "app."}).ConsumerGroup("mail.welcome"); g != "app.mail.welcome" {
		t.Fatalf("ConsumerGroup = %q", g)
	}
}

// Without brokers, or with none reachable, the constructors fail with an
// error naming the package (no Kafka runs here to test more).
func TestNoBroker(t *testing.T) {
	if _, err := signalskafka.Publisher(signalskafka.Config{}); err == nil || !strings.HasPrefix(err.Error(), "signalskafka: ") {
		t.Fatalf("no brokers: %v", err)
	}
	sc := sarama.NewConfig()
	sc.Producer.Return.Successes = true
	sc.Metadata.Retry.Max = 0
	sc.Net.DialTimeout = 200 * time.Millisecond
	cfg := signalskafka.Config{Brokers: []string{"127.0.0.1:1"}, Sarama: sc, Logger: slog.New(slog.DiscardHandler)}
	if _, err := signalskafka.Publisher(cfg); err == nil || !strings.HasPrefix(err.Error(), "signalskafka: ") {
		t.Fatalf("unreachable broker: %v", err)
	}
	if _, err := signalskafka.Subscriber(signalskafka.Config{})(outbox.Receiver{Name: "r"}); err == nil {
		t.Fatal("subscriber without brokers")
	}
}
