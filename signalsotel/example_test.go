package signalsotel_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalsotel"
)

// Install the observer once; every signal then reports a span per send and
// per receiver call.
func Example() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	stop, err := signalsotel.Install(signalsotel.WithTracerProvider(tp))
	if err != nil {
		panic(err)
	}
	defer stop()

	paid := signals.New[int]("order_paid")
	paid.ConnectFunc(func(context.Context, int) error { return nil }, signals.Name("send receipt"))
	_ = paid.Send(context.Background(), nil, 42)

	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// receive order_paid
	// send order_paid
}
