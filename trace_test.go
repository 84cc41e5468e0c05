package signals_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosignals/signals"
)

// outline renders steps as "depth kind name outcome" lines.
func outline(steps []signals.Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = strings.Repeat("  ", s.Depth) + s.Kind + " " + s.Name + " " + s.Outcome.String()
		if s.Err != "" {
			out[i] += ": " + s.Err
		}
	}
	return out
}

func checkOutline(t *testing.T, tr *signals.Trace, want ...string) {
	t.Helper()
	got := outline(tr.Steps())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("trace:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestTraceRecordsFiringOrderAndNesting(t *testing.T) {
	saved := signals.New[event]("trace.saved")
	indexed := signals.New[event]("trace.indexed")
	saved.ConnectFunc(func(ctx context.Context, ev event) error {
		time.Sleep(time.Millisecond)
		return indexed.Send(ctx, "search", ev) // nested under this receiver
	}, signals.Name("index"))
	saved.ConnectFunc(func(context.Context, event) error { return nil }, signals.Name("audit"),
		signals.Mode("after_commit"))
	indexed.ConnectFunc(func(ctx context.Context, ev event) error {
		_, step := signals.StartStep(ctx, signals.StepSQL, "UPDATE search")
		step.SetDetail("rows=1")
		step.End(nil)
		return nil
	}, signals.Name("reindex"))

	ctx, tr := signals.StartTrace(t.Context(), "save")
	if err := saved.Send(ctx, "book", event{}); err != nil {
		t.Fatal(err)
	}
	_ = saved.Send(t.Context(), "book", event{}) // another context: not recorded
	tr.Stop()
	_ = saved.Send(ctx, "book", event{}) // after Stop: not recorded

	checkOutline(t, tr,
		"send trace.saved ok",
		"  receiver index ok",
		"    send trace.indexed ok",
		"      receiver reindex ok",
		"        sql UPDATE search ok",
		"  receiver audit ok",
	)
	steps := tr.Steps()
	if s := steps[0]; s.Sender != "book" || s.Detail != "send" || s.Parent != -1 {
		t.Errorf("send step: %+v", s)
	}
	if s := steps[1]; s.Parent != 0 || s.Duration < time.Millisecond || !strings.Contains(s.Location, "/trace_test.go:") ||
		s.Mode != "inline" {
		t.Errorf("receiver step: %+v", s)
	}
	if s := steps[5]; s.Mode != "after_commit" {
		t.Errorf("audit step mode %q", s.Mode)
	}
	if s := steps[4]; s.Detail != "rows=1" || s.Parent != 3 {
		t.Errorf("sql step: %+v", s)
	}
	// Steps start in order and a parent spans its children.
	for _, s := range steps[1:] {
		p := steps[s.Parent]
		if s.Start < p.Start || s.Start+s.Duration > p.Start+p.Duration {
			t.Errorf("step %d [%v +%v] outside its parent %d [%v +%v]", s.ID, s.Start, s.Duration, p.ID, p.Start, p.Duration)
		}
	}
	if tr.Duration() < steps[0].Duration || !tr.Stopped() || tr.Name() != "save" {
		t.Errorf("trace duration %v < send %v, or not stopped", tr.Duration(), steps[0].Duration)
	}
}

func TestTraceOutcomes(t *testing.T) {
	s := signals.New[event]("trace.outcomes")
	s.SetLogger(slog.New(slog.DiscardHandler))
	boom := errors.New("boom")
	s.ConnectFunc(func(context.Context, event) error { return boom }, signals.Name("fails"))
	s.ConnectFunc(func(context.Context, event) error { panic("bad") }, signals.Name("panics"))

	ctx, tr := signals.StartTrace(t.Context(), "outcomes")
	defer tr.Stop()
	_ = s.Send(ctx, nil, event{})
	_ = s.SendRobust(ctx, nil, event{})
	_ = s.Send(signals.Mute(ctx, s), nil, event{})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _ = s.SendAsync(cctx, nil, event{})
	func() {
		defer func() { _ = recover() }()
		s2 := signals.New[event]("trace.panic")
		s2.ConnectFunc(func(context.Context, event) error { panic("through") }, signals.Name("p"))
		_ = s2.Send(ctx, nil, event{})
	}()
	checkOutline(t, tr,
		"send trace.outcomes error: signals: trace.outcomes receiver fails ("+tr.Steps()[1].Location+"): boom",
		"  receiver fails error: boom",
		"send trace.outcomes error: "+tr.Steps()[2].Err,
		"  receiver fails error: boom",
		"  receiver panics panic: panic: bad",
		"send trace.outcomes muted",
		"send trace.outcomes error: "+tr.Steps()[6].Err,
		"  receiver fails skipped: context canceled",
		"  receiver panics skipped: context canceled",
		"send trace.panic panic",
		"  receiver p panic",
	)
}

func TestTraceStepAPI(t *testing.T) {
	// Without a trace, StartStep returns nil and its methods do nothing.
	ctx0, none := signals.StartStep(t.Context(), signals.StepOnCommit, "hook")
	none.SetName("x")
	none.SetDetail("y")
	none.End(errors.New("z"))
	if none != nil || ctx0 != t.Context() || signals.TraceFrom(t.Context()) != nil {
		t.Fatal("StartStep without a trace must return ctx and nil")
	}

	ctx, tr := signals.StartTrace(t.Context(), "steps")
	if signals.TraceFrom(ctx) != tr {
		t.Fatal("TraceFrom does not find the trace")
	}
	hctx, hook := signals.StartStep(ctx, signals.StepOnCommit, "hook")
	_, inner := signals.StartStep(hctx, signals.StepEnqueue, "outbox")
	inner.End(errors.New("full"))
	inner.End(nil) // second End ignored
	hook.SetName("send_email")
	hook.End(nil)

	// A worker in another goroutine, later, continues the trace.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		wctx := signals.WithTraceOf(context.Background(), hctx)
		_, w := signals.StartStep(wctx, signals.StepWorker, "deliver")
		w.End(nil)
	}()
	wg.Wait()
	if got := signals.WithTraceOf(t.Context(), context.Background()); got != t.Context() {
		t.Fatal("WithTraceOf with an untraced source must return ctx")
	}
	tr.Stop()
	_, late := signals.StartStep(ctx, signals.StepSQL, "late")
	if late != nil {
		t.Fatal("StartStep after Stop recorded a step")
	}
	checkOutline(t, tr,
		"on_commit send_email ok",
		"  enqueue outbox error: full",
		"  worker deliver ok",
	)
}

func TestTraceRunningStepsAndString(t *testing.T) {
	ctx, tr := signals.StartTrace(t.Context(), "open")
	_, step := signals.StartStep(ctx, "custom", "never ended")
	tr.Stop()
	tr.Stop() // twice is fine
	step.End(nil)
	checkOutline(t, tr, "custom never ended running")
	if s := tr.String(); !strings.Contains(s, `"open"`) || !strings.Contains(s, "custom never ended running") {
		t.Fatalf("String():\n%s", s)
	}
}

// SetStepDetail annotates the step a context records into: a receiver's
// own call; SetName renames a trace until it is stopped.
func TestSetStepDetailAndSetName(t *testing.T) {
	s := signals.New[int]("trace.detail")
	s.ConnectFunc(func(ctx context.Context, n int) error {
		signals.SetStepDetail(ctx, fmt.Sprintf("n=%d", n))
		return nil
	}, signals.Name("annotate"))
	_ = s.Send(t.Context(), nil, 1) // no trace: nothing to annotate
	signals.SetStepDetail(t.Context(), "ignored")

	ctx, tr := signals.StartTrace(t.Context(), "GET /books/7")
	_ = s.Send(ctx, nil, 2)
	signals.SetStepDetail(ctx, "top level: no step") // ignored
	sctx, step := signals.StartStep(ctx, signals.StepSQL, "SELECT 1")
	signals.SetStepDetail(sctx, "rows=1")
	step.End(nil)
	tr.SetName("GET /books/{id}")
	tr.Stop()
	tr.SetName("after Stop") // ignored
	var got []string
	for _, st := range tr.Steps() {
		got = append(got, st.Kind+" "+st.Name+" ["+st.Detail+"]")
	}
	want := []string{"send trace.detail [send]", "receiver annotate [n=2]", "sql SELECT 1 [rows=1]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || tr.Name() != "GET /books/{id}" {
		t.Fatalf("trace %q:\n\t%s\nwant GET /books/{id}:\n\t%s", tr.Name(), strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if !strings.Contains(tr.String(), `"GET /books/{id}"`) || !strings.Contains(tr.String(), ") [n=2] ok") {
		t.Fatalf("String():\n%s", tr)
	}
}

func TestTraceHistory(t *testing.T) {
	signals.KeepTraces(3)
	t.Cleanup(func() { signals.KeepTraces(20) })
	var made []*signals.Trace
	for i := range 5 {
		_, tr := signals.StartTrace(t.Context(), fmt.Sprint("h", i))
		tr.Stop()
		made = append(made, tr)
	}
	got := signals.Traces()
	if len(got) != 3 || got[0] != made[4] || got[1] != made[3] || got[2] != made[2] {
		t.Fatalf("Traces() kept %d traces, want the last 3, newest first", len(got))
	}
	_, running := signals.StartTrace(t.Context(), "running")
	if signals.Traces()[0] == running {
		t.Fatal("a running trace is in the history")
	}
	running.Stop()
	signals.KeepTraces(0)
	if len(signals.Traces()) != 0 {
		t.Fatal("KeepTraces(0) kept traces")
	}
}

func TestTraceStepLimit(t *testing.T) {
	s := signals.New[event]("trace.limit")
	s.ConnectFunc(func(context.Context, event) error { return nil })
	ctx, tr := signals.StartTrace(t.Context(), "limit")
	for range signals.MaxTraceSteps/2 + 10 {
		_ = s.Send(ctx, nil, event{})
	}
	tr.Stop()
	// The 10 sends past the limit are dropped, with their receivers.
	if len(tr.Steps()) != signals.MaxTraceSteps || tr.Dropped() != 10 {
		t.Fatalf("kept %d steps, dropped %d; want %d and 10", len(tr.Steps()), tr.Dropped(), signals.MaxTraceSteps)
	}
}

func TestTraceConcurrentAsync(t *testing.T) {
	s := signals.New[event]("trace.async")
	for i := range 8 {
		s.ConnectFunc(func(context.Context, event) error { time.Sleep(time.Millisecond); return nil },
			signals.Name(fmt.Sprint("r", i)), signals.UID(fmt.Sprint("r", i))) // one function, 8 receivers
	}
	ctx, tr := signals.StartTrace(t.Context(), "async")
	if _, err := s.SendAsync(ctx, nil, event{}, signals.MaxConcurrency(4)); err != nil {
		t.Fatal(err)
	}
	tr.Stop()
	steps := tr.Steps()
	if len(steps) != 9 {
		t.Fatalf("%d steps, want 1 send and 8 receivers", len(steps))
	}
	seen := map[string]bool{}
	for _, st := range steps[1:] {
		if st.Parent != 0 || st.Outcome != signals.OutcomeOK {
			t.Fatalf("receiver step %+v", st)
		}
		seen[st.Name] = true
	}
	if len(seen) != 8 {
		t.Fatalf("receivers recorded: %v", seen)
	}
}

func TestRecordStep(t *testing.T) {
	signals.RecordStep(t.Context(), signals.StepSQL, "untraced", "", time.Now(), nil) // no trace: nothing
	ctx, tr := signals.StartTrace(t.Context(), "record")
	start := time.Now()
	time.Sleep(time.Millisecond)
	signals.RecordStep(ctx, signals.StepSQL, "INSERT", "rows=1", start, nil)
	signals.RecordStep(ctx, signals.StepSQL, "UPDATE", "", time.Now(), errors.New("locked"))
	tr.Stop()
	checkOutline(t, tr, "sql INSERT ok", "sql UPDATE error: locked")
	if s := tr.Steps()[0]; s.Duration < time.Millisecond || s.Detail != "rows=1" {
		t.Fatalf("recorded step %+v", s)
	}
}
