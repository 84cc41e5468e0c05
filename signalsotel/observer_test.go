package signalsotel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalsotel"
)

type event struct{ N int }

// setup installs the observer with in-memory providers for the test.
func setup(t *testing.T) (*tracetest.SpanRecorder, *sdkmetric.ManualReader, *sdktrace.TracerProvider) {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	stop, err := signalsotel.Install(signalsotel.WithTracerProvider(tp), signalsotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return sr, reader, tp
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) string {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value.String()
		}
	}
	return ""
}

func TestSpans(t *testing.T) {
	sr, _, tp := setup(t)
	sig := signals.New[event]("otel.saved")
	sig.SetLogger(slog.New(slog.DiscardHandler))
	sig.ConnectFunc(func(ctx context.Context, ev event) error {
		_, inner := tp.Tracer("app").Start(ctx, "inner work")
		inner.End()
		return nil
	}, signals.Name("index"))
	sig.ConnectFunc(func(_ context.Context, ev event) error {
		switch ev.N {
		case 1:
			return errors.New("no stock")
		case 2:
			panic("bad state")
		}
		return nil
	}, signals.Name("reserve"), signals.Mode("after_commit"))

	if err := sig.Send(t.Context(), "shop.Order", event{}); err != nil {
		t.Fatal(err)
	}
	spans := sr.Ended()
	if len(spans) != 4 {
		t.Fatalf("%d spans, want send, 2 receivers and the inner span", len(spans))
	}
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byName[s.Name()+"/"+attr(s, signalsotel.AttrReceiver)] = s
	}
	send, index, reserve, inner := byName["send otel.saved/"], byName["receive otel.saved/index"],
		byName["receive otel.saved/reserve"], byName["inner work/"]
	if send == nil || index == nil || reserve == nil || inner == nil {
		t.Fatalf("spans %v", byName)
	}
	if index.Parent().SpanID() != send.SpanContext().SpanID() || reserve.Parent().SpanID() != send.SpanContext().SpanID() ||
		inner.Parent().SpanID() != index.SpanContext().SpanID() {
		t.Fatal("receiver spans must be children of the send span, and the receiver's own spans children of its span")
	}
	for k, want := range map[attribute.Key]string{
		signalsotel.AttrSignal: "otel.saved", signalsotel.AttrSender: "shop.Order",
		signalsotel.AttrKind: "send", signalsotel.AttrCount: "2", signalsotel.AttrOutcome: "ok",
	} {
		if got := attr(send, k); got != want {
			t.Errorf("send span %s = %q, want %q", k, got, want)
		}
	}
	if attr(reserve, signalsotel.AttrMode) != "after_commit" || !strings.HasSuffix(attr(reserve, signalsotel.AttrFile), "observer_test.go") ||
		attr(reserve, signalsotel.AttrLine) == "0" || !strings.Contains(attr(reserve, signalsotel.AttrFunc), "TestSpans") {
		t.Errorf("reserve span attributes %v", reserve.Attributes())
	}

	// An error: the span's status is Error and the error is recorded.
	sr.Reset()
	_ = sig.Send(t.Context(), nil, event{N: 1})
	for _, s := range sr.Ended() {
		if s.Name() == "send otel.saved" && (s.Status().Code != codes.Error || attr(s, signalsotel.AttrOutcome) != "error") {
			t.Errorf("failed send: status %v, outcome %q", s.Status(), attr(s, signalsotel.AttrOutcome))
		}
		if attr(s, signalsotel.AttrReceiver) == "reserve" {
			if s.Status().Code != codes.Error || s.Status().Description != "no stock" || len(s.Events()) != 1 ||
				s.Events()[0].Name != "exception" {
				t.Errorf("failed receiver: status %v, events %v", s.Status(), s.Events())
			}
		}
	}

	// A panic recovered by SendRobust, and one Send lets through: both
	// end their spans with status Error.
	sr.Reset()
	_ = sig.SendRobust(t.Context(), nil, event{N: 2})
	func() {
		defer func() { _ = recover() }()
		_ = sig.Send(t.Context(), nil, event{N: 2})
	}()
	var got []string
	for _, s := range sr.Ended() {
		desc, _, _ := strings.Cut(s.Status().Description, " (") // the joined error names the receiver's file
		got = append(got, s.Name()+" "+attr(s, signalsotel.AttrOutcome)+" "+desc)
	}
	// Spans are listed as they end: the inner span before its receiver's.
	want := []string{
		// SendRobust: the panic is recovered into an error.
		"inner work  ", "receive otel.saved ok ", "receive otel.saved panic panic: bad state",
		"send otel.saved error signals: otel.saved receiver reserve",
		// Send: the panic goes on to the caller, with no error value.
		"inner work  ", "receive otel.saved ok ", "receive otel.saved panic panic", "send otel.saved panic panic",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("spans:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestMetrics(t *testing.T) {
	_, reader, _ := setup(t)
	sig := signals.New[event]("otel.metrics")
	sig.SetLogger(slog.New(slog.DiscardHandler))
	sig.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("ok"))
	sig.ConnectFunc(func(_ context.Context, ev event) error {
		if ev.N%2 == 1 {
			return errors.New("odd")
		}
		return nil
	}, signals.Name("even only"))
	for i := range 5 {
		_ = sig.SendRobust(t.Context(), nil, event{N: i})
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	hist := map[string]uint64{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != signalsotel.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					counts[m.Name+" "+setString(p.Attributes)] = p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					hist[m.Name+" "+setString(p.Attributes)] = p.Count
				}
			}
		}
	}
	for k, want := range map[string]int64{
		"signals.receiver.calls otel.metrics/ok/ok":           5,
		"signals.receiver.calls otel.metrics/even only/ok":    3,
		"signals.receiver.calls otel.metrics/even only/error": 2,
		"signals.sends otel.metrics/send_robust/ok":           3,
		"signals.sends otel.metrics/send_robust/error":        2,
	} {
		if counts[k] != want {
			t.Errorf("%s = %d, want %d (all: %v)", k, counts[k], want, counts)
		}
	}
	if hist["signals.receiver.duration otel.metrics/ok"] != 5 || hist["signals.send.duration otel.metrics/send_robust"] != 5 {
		t.Errorf("histogram counts %v", hist)
	}
}

func setString(s attribute.Set) string {
	var parts []string
	for _, k := range []attribute.Key{signalsotel.AttrSignal, signalsotel.AttrReceiver, signalsotel.AttrKind, signalsotel.AttrOutcome} {
		if v, ok := s.Value(k); ok {
			parts = append(parts, v.String())
		}
	}
	return strings.Join(parts, "/")
}

// A robust failure is logged with the failing receiver's span.
func TestLogsCarryTheReceiverSpan(t *testing.T) {
	sr, _, _ := setup(t)
	var buf bytes.Buffer
	sig := signals.New[event]("otel.logs")
	sig.SetLogger(slog.New(signalsotel.LogHandler(slog.NewJSONHandler(&buf, nil))))
	sig.ConnectFunc(func(context.Context, event) error { return errors.New("mail server down") }, signals.Name("mail"))
	_ = sig.SendRobust(t.Context(), nil, event{})

	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	var span sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if attr(s, signalsotel.AttrReceiver) == "mail" {
			span = s
		}
	}
	if span == nil || rec["trace_id"] != span.SpanContext().TraceID().String() || rec["span_id"] != span.SpanContext().SpanID().String() ||
		rec["msg"] != "signals: receiver failed" || rec["receiver"] != "mail" {
		t.Fatalf("log record %v does not point at the receiver's span", rec)
	}

	// Without a span, records pass unchanged.
	buf.Reset()
	slog.New(signalsotel.LogHandler(slog.NewJSONHandler(&buf, nil))).With("k", "v").WithGroup("g").InfoContext(t.Context(), "plain", "a", 1)
	if s := buf.String(); strings.Contains(s, "trace_id") || !strings.Contains(s, `"k":"v"`) || !strings.Contains(s, `"g":{"a":1}`) {
		t.Fatalf("plain record %s", s)
	}
}

func TestStopAndOptions(t *testing.T) {
	sr, _, _ := setup(t)
	sig := signals.New[event]("otel.stop")
	sig.ConnectFunc(func(context.Context, event) error { return nil })
	stop, err := signalsotel.Install(nil)
	if err == nil || stop != nil || !strings.HasPrefix(err.Error(), "signalsotel: ") {
		t.Fatalf("Install(nil) = %v", err)
	}
	if o, err := signalsotel.New(); err != nil || o == nil {
		t.Fatalf("New() with the global providers: %v", err)
	}
	muted := signals.Mute(t.Context(), sig)
	_ = sig.Send(muted, nil, event{})
	if n := len(sr.Ended()); n != 0 {
		t.Fatalf("a muted send made %d spans", n)
	}
}
