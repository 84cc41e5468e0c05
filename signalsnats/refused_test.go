package signalsnats_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalsnats"
	"github.com/gosignals/signals/signalswatermill/wmtest"
)

// A message the server refuses for good (larger than its max_payload)
// stops the relay at that event: the events written before it are on the
// stream and marked relayed, so they are not published again while the
// refused one is retried; it and the events after it stay in the outbox.
func TestRelayMarksTheEventsBeforeARefusedOne(t *testing.T) {
	cfg := natsConfig(t, natsURL())
	a := wmtest.OpenApp(t, "postgres", wmtest.Database(t, "postgres"), cfg.TopicPrefix)
	name := wmtest.Unique("nats.refused.")
	h := signalsgorm.DurablePostSave(name, func(context.Context, outbox.Event[wmtest.Account]) error { return nil })
	t.Cleanup(func() { h.Disconnect() })
	for _, email := range []string{"a", "b", "c", strings.Repeat("x", 2<<20), "d", "e"} {
		if err := a.DB.Create(&wmtest.Account{Email: email}).Error; err != nil {
			t.Fatal(err)
		}
	}
	pub, err := signalsnats.Publisher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pub.Close() })
	relay, err := a.Outbox.Relay(a.SQLDB, pub)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx) }()
	t.Cleanup(func() { cancel(); _ = relay.Close(); <-done })

	nc, err := nats.Connect(cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := nc.JetStream()
	stored := func() int64 {
		si, err := js.StreamInfo(cfg.Stream)
		if err != nil {
			t.Fatal(err)
		}
		return int64(si.State.Msgs)
	}
	wmtest.WaitProgress(t, 30*time.Second, "the events before the refused one", stored, 3)
	// The relay has retried the refused event a few times by now.
	time.Sleep(1500 * time.Millisecond)
	if n := stored(); n != 3 {
		t.Fatalf("the stream holds %d events, want the 3 before the refused one", n)
	}
	backlog, _, err := a.Outbox.Backlog(ctx, a.SQLDB)
	if err != nil {
		t.Fatal(err)
	}
	if backlog != 3 {
		t.Fatalf("backlog %d, want 3: the refused event and the 2 after it", backlog)
	}
}
