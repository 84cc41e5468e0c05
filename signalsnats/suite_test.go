package signalsnats_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"

	"github.com/gosignals/signals/signalsnats"
	"github.com/gosignals/signals/signalswatermill/wmtest"
)

func natsURL() string { return wmtest.Env("SIGNALS_NATS_URL", nats.DefaultURL) }

// natsConfig creates a stream of the test's own on the server at url.
func natsConfig(t testing.TB, url string) signalsnats.Config {
	t.Helper()
	nc, err := nats.Connect(url, nats.Timeout(3*time.Second))
	wmtest.Require(t, "NATS at "+url, err)
	nc.Close()
	cfg := signalsnats.Config{Logger: wmtest.Quiet, URL: url, Stream: wmtest.Unique("T_"), TopicPrefix: wmtest.Unique("t") + ".", AckWait: 30 * time.Second}
	if err := signalsnats.EnsureStream(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = signalsnats.DeleteStream(cfg) })
	return cfg
}

func broker(cfg signalsnats.Config) wmtest.Broker {
	return wmtest.Broker{
		TopicPrefix: cfg.TopicPrefix,
		Publisher:   func() (message.Publisher, error) { return signalsnats.Publisher(cfg) },
		Subscriber:  signalsnats.Subscriber(cfg),
	}
}

// The transport conformance suite, on the NATS JetStream at
// SIGNALS_NATS_URL (default nats://127.0.0.1:4222).
func TestSuite(t *testing.T) {
	wmtest.Run(t, func(t *testing.T) wmtest.Broker { return broker(natsConfig(t, natsURL())) })
}

// The consumer's figures follow the deliveries.
func TestStats(t *testing.T) {
	cfg := natsConfig(t, natsURL())
	a := wmtest.OpenApp(t, "postgres", wmtest.Database(t, "postgres"), cfg.TopicPrefix)
	name := wmtest.Unique("nats.stats.")
	wmtest.Connect(t, name, wmtest.EffectReceiver(a.DB))
	for i := 0; i < 10; i++ {
		if err := a.DB.Create(&wmtest.Account{}).Error; err != nil {
			t.Fatal(err)
		}
	}
	wmtest.Start(t, a, broker(cfg), name)
	// Progress: each event delivered and acknowledged counts 1, each one
	// still pending 0.
	wmtest.WaitProgress(t, 30*time.Second, "the consumer to drain", func() int64 {
		st, err := signalsnats.Stats(context.Background(), cfg, name)
		if err != nil {
			t.Fatal(err)
		}
		return st[0].Delivered - st[0].Pending
	}, 10)
	if st, err := signalsnats.Stats(context.Background(), cfg, name); err != nil || st[0].Pending != 0 || st[0].Delivered != 10 {
		t.Fatalf("Stats = %+v, %v; want 10 delivered, none pending", st, err)
	}
}
