package signals

import (
	"context"
	"errors"
	"log/slog"
)

// Result is the outcome of one receiver in [Signal.SendRobustResults] and
// [Signal.SendAsync].
type Result struct {
	Receiver ReceiverInfo
	// Called is false for a receiver that was not started because the
	// context was cancelled first (async sends only); Err is then the
	// context's error.
	Called bool
	// Err is the receiver's own error, a *[PanicError] if it panicked, or
	// nil.
	Err error
}

// SendRobust calls every receiver of sender, in order, whatever the others
// do: an error or a panic in one does not stop the next. A panic is
// recovered into a *[PanicError] carrying its stack. Each failure is logged
// at level Error on the signal's logger (see [Signal.SetLogger]) and
// returned, as a *[ReceiverError], in an [errors.Join] of all failures; the
// result is nil when every receiver succeeded. Muting and snapshot rules are
// those of [Signal.Send].
//
// SendRobust does not allocate unless a receiver fails.
func (s *Signal[T]) SendRobust(ctx context.Context, sender any, ev T) error {
	if s == nil {
		return ErrNilSignal
	}
	p := s.snap.Load()
	if p == nil {
		return nil
	}
	l := p.lookup(sender)
	if l == nil {
		return nil
	}
	if s.c.flags.Load()|globalFlags.Load() != 0 {
		if done, err := s.sendSlow(ctx, sender, l, ev, KindRobust, nil); done {
			return err
		}
	}
	var errs []error
	for i := 0; i < len(l.fns); {
		i = s.robustRun(ctx, l, ev, i, &errs)
	}
	if errs == nil {
		return nil
	}
	return errors.Join(errs...)
}

// robustRun calls the receivers of l from index i on, recording failures
// in errs, until the end or until one panics; it returns the index to
// resume from. One deferred recover covers the whole run, rather than one
// per receiver, which keeps SendRobust close to Send's speed.
func (s *Signal[T]) robustRun(ctx context.Context, l *list[T], ev T, i int, errs *[]error) (next int) {
	defer func() {
		if v := recover(); v != nil {
			*errs = append(*errs, s.fail(ctx, l.entries[i], newPanicError(v)))
			next = i + 1
		}
	}()
	for ; i < len(l.fns); i++ {
		if err := l.fns[i](ctx, ev); err != nil {
			*errs = append(*errs, s.fail(ctx, l.entries[i], err))
		}
	}
	return i
}

// SendRobustResults is [Signal.SendRobust] returning, in addition, one
// [Result] per receiver called, in call order (Django's send_robust return
// value).
func (s *Signal[T]) SendRobustResults(ctx context.Context, sender any, ev T) ([]Result, error) {
	if s == nil {
		return nil, ErrNilSignal
	}
	p := s.snap.Load()
	if p == nil {
		return nil, nil
	}
	l := p.lookup(sender)
	if l == nil {
		return nil, nil
	}
	if s.c.slow() {
		var results []Result
		if done, err := s.sendSlow(ctx, sender, l, ev, KindRobust, &results); done {
			return results, err
		}
	}
	results := make([]Result, len(l.fns))
	var errs []error
	for i, fn := range l.fns {
		err := callRecover(fn, ctx, ev)
		results[i] = Result{Receiver: l.entries[i].info, Called: true, Err: err}
		if err != nil {
			errs = append(errs, s.fail(ctx, l.entries[i], err))
		}
	}
	return results, errors.Join(errs...)
}

// callRecover calls fn and turns a panic into a *PanicError.
func callRecover[T any](fn func(context.Context, T) error, ctx context.Context, ev T) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = newPanicError(v)
		}
	}()
	return fn(ctx, ev)
}

// fail logs a robust failure and wraps it.
func (s *Signal[T]) fail(ctx context.Context, e *entry[T], err error) error {
	attrs := []slog.Attr{
		slog.String("signal", s.Name()),
		slog.String("receiver", e.info.Name),
		slog.String("location", e.info.Location()),
		slog.Any("error", err),
	}
	msg := "signals: receiver failed"
	if pe, ok := err.(*PanicError); ok {
		msg = "signals: receiver panicked"
		attrs = append(attrs, slog.String("stack", string(pe.Stack)))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	s.logger().LogAttrs(ctx, slog.LevelError, msg, attrs...)
	return &ReceiverError{Signal: s.Name(), Receiver: e.info, Err: err}
}
