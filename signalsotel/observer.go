package signalsotel

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/gosignals/signals"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/gosignals/signals/signalsotel"

// The attribute keys.
const (
	AttrSignal   = attribute.Key("signals.signal")
	AttrSender   = attribute.Key("signals.sender")
	AttrReceiver = attribute.Key("signals.receiver")
	AttrKind     = attribute.Key("signals.send.kind")
	AttrCount    = attribute.Key("signals.send.receivers")
	AttrMode     = attribute.Key("signals.receiver.mode")
	AttrOutcome  = attribute.Key("signals.outcome")
	AttrFunc     = attribute.Key("code.function.name")
	AttrFile     = attribute.Key("code.file.path")
	AttrLine     = attribute.Key("code.line.number")
)

// Observer is a [signals.Observer] that records a span per send and per
// receiver call, and metrics:
//
//	signals.sends                  counter, by signal, kind and outcome
//	signals.send.duration          histogram (s), by signal and kind
//	signals.receiver.calls         counter, by signal, receiver and outcome
//	signals.receiver.duration      histogram (s), by signal and receiver
//
// A send's span is named "send <signal>", a receiver's "receive <signal>";
// both carry the signal, the sender (when there is one) and the outcome,
// the receiver's span also the receiver's name, mode and where it was
// connected. Receivers run
// inside their span: spans they start are its children. Errors and panics
// set the span's status to Error.
type Observer struct {
	tracer trace.Tracer

	sends, calls           metric.Int64Counter
	sendTime, receiverTime metric.Float64Histogram

	attrs sync.Map // attrKey → metric.MeasurementOption
}

var _ signals.Observer = (*Observer)(nil)

// An Option configures [New].
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider sets the tracer provider; the default is the global
// one (otel.GetTracerProvider).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider sets the meter provider; the default is the global
// one (otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// New returns an Observer; install it with signals.Observe, or use
// [Install].
func New(opts ...Option) (*Observer, error) {
	c := config{}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("signalsotel: nil Option")
		}
		o(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	meter := c.mp.Meter(ScopeName)
	o := &Observer{tracer: c.tp.Tracer(ScopeName)}
	var errs []error
	var err error
	o.sends, err = meter.Int64Counter("signals.sends", metric.WithUnit("{send}"),
		metric.WithDescription("Sends of a signal that called at least one receiver."))
	errs = append(errs, err)
	o.calls, err = meter.Int64Counter("signals.receiver.calls", metric.WithUnit("{call}"),
		metric.WithDescription("Receiver calls."))
	errs = append(errs, err)
	o.sendTime, err = meter.Float64Histogram("signals.send.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of a send, all its receivers included."))
	errs = append(errs, err)
	o.receiverTime, err = meter.Float64Histogram("signals.receiver.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of a receiver call."))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("signalsotel: creating instruments: %w", err)
	}
	return o, nil
}

// Install creates an Observer with opts and installs it for every signal;
// stop removes it.
func Install(opts ...Option) (stop func(), err error) {
	o, err := New(opts...)
	if err != nil {
		return nil, err
	}
	return signals.Observe(o), nil
}

// SendStart implements signals.Observer.
func (o *Observer) SendStart(ctx context.Context, s *signals.SendInfo) context.Context {
	attrs := []attribute.KeyValue{AttrSignal.String(s.Signal), AttrKind.String(s.Kind.String()), AttrCount.Int(s.Receivers)}
	if s.Sender != nil {
		attrs = append(attrs, AttrSender.String(signals.SenderName(s.Sender)))
	}
	ctx, _ = o.tracer.Start(ctx, "send "+s.Signal, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return ctx
}

// SendEnd implements signals.Observer.
func (o *Observer) SendEnd(ctx context.Context, s *signals.SendInfo, e signals.EndInfo) {
	span := trace.SpanFromContext(ctx)
	finish(span, e)
	o.sends.Add(ctx, 1, o.options(attrKey{signal: s.Signal, kind: s.Kind, outcome: e.Outcome, withOutcome: true}))
	o.sendTime.Record(ctx, e.Duration.Seconds(), o.options(attrKey{signal: s.Signal, kind: s.Kind}))
}

// ReceiverStart implements signals.Observer.
func (o *Observer) ReceiverStart(ctx context.Context, s *signals.SendInfo, r *signals.ReceiverInfo) context.Context {
	attrs := []attribute.KeyValue{AttrSignal.String(s.Signal), AttrReceiver.String(r.Name), AttrMode.String(r.Mode),
		AttrFunc.String(r.Func), AttrFile.String(r.File), AttrLine.Int(r.Line)}
	if s.Sender != nil {
		attrs = append(attrs, AttrSender.String(signals.SenderName(s.Sender)))
	}
	ctx, _ = o.tracer.Start(ctx, "receive "+s.Signal, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return ctx
}

// ReceiverEnd implements signals.Observer.
func (o *Observer) ReceiverEnd(ctx context.Context, s *signals.SendInfo, r *signals.ReceiverInfo, e signals.EndInfo) {
	finish(trace.SpanFromContext(ctx), e)
	o.calls.Add(ctx, 1, o.options(attrKey{signal: s.Signal, receiver: r.Name, outcome: e.Outcome, withOutcome: true}))
	o.receiverTime.Record(ctx, e.Duration.Seconds(), o.options(attrKey{signal: s.Signal, receiver: r.Name}))
}

// finish sets the outcome of span and ends it.
func finish(span trace.Span, e signals.EndInfo) {
	span.SetAttributes(AttrOutcome.String(e.Outcome.String()))
	switch e.Outcome {
	case signals.OutcomeError, signals.OutcomePanic:
		if e.Err != nil {
			span.RecordError(e.Err)
			span.SetStatus(codes.Error, e.Err.Error())
		} else {
			span.SetStatus(codes.Error, "panic") // Send lets it propagate
		}
	}
	span.End()
}

// attrKey identifies a set of metric attributes. Signal and receiver names
// are few, so the sets are cached rather than built on every call.
type attrKey struct {
	signal, receiver string
	kind             signals.SendKind
	outcome          signals.Outcome
	withOutcome      bool
}

func (o *Observer) options(k attrKey) metric.MeasurementOption {
	if v, ok := o.attrs.Load(k); ok {
		return v.(metric.MeasurementOption)
	}
	kv := []attribute.KeyValue{AttrSignal.String(k.signal)}
	if k.receiver != "" {
		kv = append(kv, AttrReceiver.String(k.receiver))
	} else {
		kv = append(kv, AttrKind.String(k.kind.String()))
	}
	if k.withOutcome {
		kv = append(kv, AttrOutcome.String(k.outcome.String()))
	}
	opt := metric.WithAttributeSet(attribute.NewSet(kv...))
	v, _ := o.attrs.LoadOrStore(k, opt)
	return v.(metric.MeasurementOption)
}
