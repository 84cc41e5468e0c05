package signalsgorm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsgorm"
)

// A trace shows the durable path: the enqueue inside the save, then the
// worker's delivery when it runs with the traced context.
func TestDurableTrace(t *testing.T) {
	db, ob := openOutbox(t, "sqlite", nil, []string{"trace.welcome"})
	h := signalsgorm.DurablePostSave("trace.welcome", func(ctx context.Context, ev outbox.Event[Account]) error { return nil })
	defer h.Disconnect()
	ctx, tr := signals.StartTrace(t.Context(), "sign-up")
	if err := db.WithContext(ctx).Create(&Account{Email: "ada@example.com"}).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := ob.RunOnce(ctx); n != 1 || err != nil {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	tr.Stop()
	var kinds []string
	for _, s := range tr.Steps() {
		if s.Kind != signals.StepSQL {
			kinds = append(kinds, s.Kind+" "+s.Name)
		}
	}
	got := strings.Join(kinds, " | ")
	want := "send post_save | receiver trace.welcome | enqueue trace.welcome | worker trace.welcome"
	if got != want {
		t.Fatalf("trace steps:\n\t%s\nwant\n\t%s", got, want)
	}
}
