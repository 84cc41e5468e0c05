package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gosignals/signals/outbox"
)

func TestRegistry(t *testing.T) {
	var g outbox.Registry
	h := func(context.Context, *outbox.Delivery) error { return nil }
	un, err := g.Register(outbox.Receiver{Name: "mail.welcome", Signal: "post_save", Model: "shop.User", Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Register(outbox.Receiver{Name: "mail.welcome", Signal: "post_save", Model: "shop.User", Handler: h}); !errors.Is(err, outbox.ErrDuplicateReceiver) {
		t.Fatalf("duplicate: %v", err)
	}
	for _, bad := range []outbox.Receiver{
		{Name: "", Signal: "s", Model: "m", Handler: h},
		{Name: "has space", Signal: "s", Model: "m", Handler: h},
		{Name: ".dot", Signal: "s", Model: "m", Handler: h},
		{Name: "x", Signal: "s", Model: "m"},
		{Name: "x", Model: "m", Handler: h},
	} {
		if _, err := g.Register(bad); !errors.Is(err, outbox.ErrInvalidReceiver) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if r, ok := g.Lookup("mail.welcome"); !ok || r.Topic() != "signals.shop.User.post_save" {
		t.Fatalf("Lookup: %+v %v", r, ok)
	}
	un()
	un()
	if len(g.Receivers()) != 0 {
		t.Fatal("unregister left the receiver")
	}
}

func TestTopic(t *testing.T) {
	for _, tt := range [][3]string{
		{"post_save", "shop.Book", "signals.shop.Book.post_save"},
		{"post_save", "a b.*>", "signals.a_b.__.post_save"},
		{"m2m.changed", ".x..y.", "signals._x._y_.m2m_changed"},
	} {
		if got := outbox.Topic(tt[0], tt[1]); got != tt[2] {
			t.Errorf("Topic(%q, %q) = %q, want %q", tt[0], tt[1], got, tt[2])
		}
	}
}

type Order struct {
	ID     uint
	Status string
}

func TestTypedAndDeliver(t *testing.T) {
	var g outbox.Registry
	var got outbox.Event[Order]
	var inCtx *outbox.Delivery
	_, err := g.Register(outbox.Receiver{Name: "r", Signal: "post_save", Model: "shop.Order",
		Handler: outbox.Typed(func(ctx context.Context, ev outbox.Event[Order]) error {
			got = ev
			inCtx, _ = outbox.FromContext(ctx)
			return nil
		})})
	if err != nil {
		t.Fatal(err)
	}
	env := sample()
	d := &outbox.Delivery{Envelope: env, Receiver: "r", Attempt: 1}
	if err := g.Deliver(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if got.Instance == nil || got.Instance.ID != 42 || got.Instance.Status != "paid" || got.PK != "42" || !got.Created {
		t.Fatalf("typed event: %+v", got)
	}
	if inCtx != d || d.Key() != "r/"+env.ID {
		t.Fatalf("delivery in context: %v, key %s", inCtx, d.Key())
	}
	env.Instance = json.RawMessage(`{"ID":"not a number"}`)
	err = g.Deliver(context.Background(), d)
	if err == nil || !outbox.IsPermanent(err) || !strings.Contains(err.Error(), "outbox_test.Order") {
		t.Fatalf("undecodable instance: %v", err)
	}
	if err := g.Deliver(context.Background(), &outbox.Delivery{Envelope: env, Receiver: "nobody"}); !errors.Is(err, outbox.ErrUnknownReceiver) {
		t.Fatalf("unknown receiver: %v", err)
	}
}

func TestDeliverRecoversPanic(t *testing.T) {
	var g outbox.Registry
	_, _ = g.Register(outbox.Receiver{Name: "p", Signal: "s", Model: "m", Handler: func(context.Context, *outbox.Delivery) error { panic("boom") }})
	err := g.Deliver(context.Background(), &outbox.Delivery{Envelope: sample(), Receiver: "p"})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panic: %v", err)
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("gone")
	if !outbox.IsPermanent(outbox.Permanent(base)) || !errors.Is(outbox.Permanent(base), base) || outbox.IsPermanent(base) {
		t.Fatal("Permanent")
	}
	if outbox.Permanent(nil) != nil {
		t.Fatal("Permanent(nil)")
	}
}

func TestCorrelationID(t *testing.T) {
	ctx := context.Background()
	if outbox.CorrelationID(ctx) != "" {
		t.Fatal("empty context")
	}
	env := sample()
	dctx := outbox.NewContext(ctx, &outbox.Delivery{Envelope: env, Receiver: "r"})
	if got := outbox.CorrelationID(dctx); got != env.ID {
		t.Fatalf("a delivery without correlation id correlates by its event: %q", got)
	}
	env.CorrelationID = "req-1"
	if got := outbox.CorrelationID(dctx); got != "req-1" {
		t.Fatalf("inherited: %q", got)
	}
	if got := outbox.CorrelationID(outbox.WithCorrelationID(dctx, "req-2")); got != "req-2" {
		t.Fatalf("explicit: %q", got)
	}
}
