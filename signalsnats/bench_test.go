package signalsnats_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsnats"
	"github.com/gosignals/signals/signalswatermill/wmtest"
)

// BenchmarkRelayPostgresToNATS measures the relay alone: the outbox holds
// b.N events, written beforehand; the timer covers the relay moving them
// to JetStream, until the stream holds them all, with the outbox in 1, 4
// and 8 partitions (one loop each). CPU is this process's (the relay's
// and the benchmark's), user and system, per event; not the servers'.
// RELAY_BATCH sets SQLOutbox.RelayBatch (default 500).
func BenchmarkRelayPostgresToNATS(b *testing.B) {
	for _, parts := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("partitions=%d", parts), func(b *testing.B) { benchRelay(b, parts) })
	}
}

func benchRelay(b *testing.B, partitions int) {
	cfg := natsConfig(b, natsURL())
	a := wmtest.OpenApp(b, "postgres", wmtest.Database(b, "postgres"), cfg.TopicPrefix)
	a.Outbox.Partitions = partitions
	if s := os.Getenv("RELAY_BATCH"); s != "" {
		a.Outbox.RelayBatch, _ = strconv.Atoi(s)
	}
	if err := a.Outbox.Init(context.Background(), a.SQLDB); err != nil {
		b.Fatal(err)
	}
	h := signalsgorm.DurablePostSave(wmtest.Unique("bench.relay."), func(context.Context, outbox.Event[wmtest.Account]) error { return nil })
	defer h.Disconnect()
	n := b.N
	for i := 0; i < n; i += 500 {
		accts := make([]wmtest.Account, min(500, n-i))
		if err := a.DB.Create(&accts).Error; err != nil {
			b.Fatal(err)
		}
	}
	nc, err := nats.Connect(cfg.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := nc.JetStream()
	pub, err := signalsnats.Publisher(cfg)
	if err != nil {
		b.Fatal(err)
	}
	relay, err := a.Outbox.Relay(a.SQLDB, pub)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	go func() { _ = relay.Run(ctx) }()
	for {
		si, err := js.StreamInfo(cfg.Stream)
		if err != nil {
			b.Fatal(err)
		}
		if si.State.Msgs >= uint64(n) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(n), "cpu-µs/event")
	_ = relay.Close()
}

// BenchmarkJetStreamPublishRaw is the reference: nats.go publishing
// messages of the envelope's size to the same kind of stream, one at a
// time, each with a Nats-Msg-Id and waiting for its acknowledgement, as the
// relay does.
func BenchmarkJetStreamPublishRaw(b *testing.B) {
	cfg := natsConfig(b, natsURL())
	nc, err := nats.Connect(cfg.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := nc.JetStream()
	payload := make([]byte, 400)
	subject := cfg.TopicPrefix + "signals.bench.Account.post_save"
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := js.Publish(subject, payload, nats.MsgId(outbox.NewID())); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/event")
}

// BenchmarkJetStreamPublishRawAsync is the ceiling: the same messages
// published asynchronously, all acknowledgements awaited at the end.
func BenchmarkJetStreamPublishRawAsync(b *testing.B) {
	cfg := natsConfig(b, natsURL())
	nc, err := nats.Connect(cfg.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := nc.JetStream(nats.PublishAsyncMaxPending(4096))
	payload := make([]byte, 400)
	subject := cfg.TopicPrefix + "signals.bench.Account.post_save"
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := js.PublishAsync(subject, payload, nats.MsgId(outbox.NewID())); err != nil {
			b.Fatal(err)
		}
	}
	<-js.PublishAsyncComplete()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// cpuTime returns the CPU time (user and system) the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
