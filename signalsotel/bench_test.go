package signalsotel_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/metric/noop"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalsotel"
)

// BenchmarkSendOneReceiver measures a send to one receiver with the
// observer recording sampled spans (no exporter) and no-op metrics: the cost
// of two spans per send.
func BenchmarkSendOneReceiver(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	stop, err := signalsotel.Install(signalsotel.WithTracerProvider(tp), signalsotel.WithMeterProvider(noop.NewMeterProvider()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	s := signals.New[int]("bench.otel")
	s.ConnectFunc(func(context.Context, int) error { return nil })
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Send(ctx, nil, 1); err != nil {
			b.Fatal(err)
		}
	}
}
