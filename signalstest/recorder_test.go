package signalstest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gosignals/signals"
	"github.com/gosignals/signals/signalstest"
)

type saved struct {
	ID      int
	Created bool
}

// fakeTB captures failures so the assertions' own failures can be tested.
type fakeTB struct {
	testing.TB
	errs []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func TestRecorder(t *testing.T) {
	sig := signals.New[saved]("post_save")
	rec := signalstest.Record(t, sig)
	ctx := t.Context()
	_ = sig.Send(ctx, nil, saved{ID: 1, Created: true})
	_ = sig.Send(ctx, nil, saved{ID: 1})
	if rec.Len() != 2 || rec.Last().ID != 1 || rec.Events()[0].Created != true {
		t.Fatalf("recorded %+v", rec.Events())
	}
	if c := rec.Calls(); c[0].Ctx != ctx || c[1].Seq != 2 {
		t.Fatalf("calls %+v", c)
	}
	rec.AssertCount(2)
	rec.AssertSent(func(ev saved) bool { return ev.Created })
	rec.AssertSentOnce(func(ev saved) bool { return !ev.Created })

	// Failing assertions report the signal and the events.
	f := &fakeTB{TB: t}
	rec2 := signalstest.Record(f, sig)
	_ = sig.Send(ctx, nil, saved{ID: 7})
	if rec2.AssertNotSent() || rec2.AssertCount(3) || rec2.AssertSentOnce(func(ev saved) bool { return ev.ID == 8 }) ||
		rec2.AssertSent(func(ev saved) bool { return ev.Created }) {
		t.Fatal("a failing assertion returned true")
	}
	if len(f.errs) != 4 || !strings.Contains(f.errs[0], "post_save: sent 1 times, want never") || !strings.Contains(f.errs[0], "{ID:7 Created:false}") {
		t.Fatalf("failure messages: %q", f.errs)
	}

	// Fail makes the recorder return an error to the sender.
	boom := errors.New("boom")
	rec.Fail(boom)
	if err := sig.Send(ctx, nil, saved{}); !errors.Is(err, boom) {
		t.Fatalf("Send = %v, want boom", err)
	}
	rec.Fail(nil)
	rec.Reset()
	rec.AssertNotSent()
	rec.Stop()
	_ = sig.Send(ctx, nil, saved{})
	rec.AssertNotSent()
}

type bookType struct{}
type authorType struct{}

func TestRecorderSenderAndTimeline(t *testing.T) {
	pre := signals.New[saved]("pre_save")
	post := signals.New[saved]("post_save")
	tl := signalstest.NewTimeline(t)
	recPre := signalstest.Record(t, pre, signalstest.OnTimeline(tl), signalstest.WithSender(bookType{}))
	signalstest.Record(t, post, signalstest.OnTimeline(tl), signalstest.WithConnectOptions(signals.Priority(5)))
	ctx := t.Context()
	_ = pre.Send(ctx, bookType{}, saved{})
	_ = pre.Send(ctx, authorType{}, saved{}) // not Book's: not recorded
	_ = post.Send(ctx, bookType{}, saved{})
	recPre.AssertCount(1)
	tl.AssertOrder("pre_save", "post_save")

	f := &fakeTB{TB: t}
	tl2 := signalstest.NewTimeline(f)
	signalstest.Record(t, pre, signalstest.OnTimeline(tl2))
	_ = pre.Send(ctx, nil, saved{})
	if tl2.AssertOrder("post_save") || !strings.Contains(f.errs[0], "pre_save\nwant\n\tpost_save") {
		t.Fatalf("timeline failure: %q", f.errs)
	}
	// The recorder's connection points at this file, not at signalstest.
	for _, ri := range pre.Receivers() {
		if !strings.HasSuffix(ri.File, "recorder_test.go") {
			t.Fatalf("recorder connected at %s", ri.Location())
		}
	}
}

// The recorder is the test helper users write their own tests with.
func Example() {
	t := &testing.T{} // in a real test, the *testing.T of the test
	userCreated := signals.New[string]("user_created")
	rec := signalstest.Record(t, userCreated)

	_ = userCreated.Send(context.Background(), nil, "ada") // the code under test

	fmt.Println(rec.AssertSentOnce(func(name string) bool { return name == "ada" }))
	fmt.Println(rec.Events())
	// Output:
	// true
	// [ada]
}

// A recorder of several signals and a described timeline: the shape of a
// test that checks a whole sequence of model signals, step by step.
func TestRecordAllDescribedTimeline(t *testing.T) {
	pre := signals.New[saved]("pre_save")
	post := signals.New[saved]("post_save")
	deleted := signals.New[int]("post_delete")
	tl := signalstest.NewTimeline(t)
	saves := signalstest.RecordAll(t, []*signals.Signal[saved]{pre, post}, signalstest.OnTimeline(tl),
		signalstest.Describe(func(signal string, ev saved) string {
			return fmt.Sprintf("%s #%d created=%v", signal, ev.ID, ev.Created)
		}))
	signalstest.Record(t, deleted, signalstest.OnTimeline(tl))
	ctx := t.Context()

	_ = pre.Send(ctx, nil, saved{ID: 1, Created: true})
	tl.Add("write")
	_ = post.Send(ctx, nil, saved{ID: 1, Created: true})
	tl.AssertNext("pre_save #1 created=true", "write", "post_save #1 created=true")
	if evs := saves.Take(); len(evs) != 2 || evs[1].ID != 1 {
		t.Fatalf("Take = %+v", evs)
	}
	if c := saves.Calls(); c[0].Signal != "pre_save" || c[1].Signal != "post_save" || c[1].Seq != 3 {
		t.Fatalf("calls %+v", c)
	}

	_ = post.Send(ctx, nil, saved{ID: 2})
	_ = deleted.Send(ctx, nil, 2)
	tl.AssertNext("post_save #2 created=false", "post_delete")
	if evs := saves.Take(); len(evs) != 1 || evs[0].ID != 2 {
		t.Fatalf("second Take = %+v", evs)
	}
	if evs := saves.Take(); len(evs) != 0 || !tl.AssertNext() {
		t.Fatalf("nothing new, Take = %+v", evs)
	}
	if got := tl.Names(); strings.Join(got, ",") != "pre_save,write,post_save,post_save,post_delete" {
		t.Fatalf("Names = %q", got)
	}

	// A failing AssertNext shows both sequences, one line each.
	f := &fakeTB{TB: t}
	tl2 := signalstest.NewTimeline(f)
	signalstest.Record(t, pre, signalstest.OnTimeline(tl2))
	_ = pre.Send(ctx, nil, saved{})
	if tl2.AssertNext("post_save") || len(f.errs) != 1 || !strings.Contains(f.errs[0], "recorded\n\tpre_save\nwant\n\tpost_save") {
		t.Fatalf("AssertNext failure: %q", f.errs)
	}

	// Reset empties the timeline for the next case of a table test.
	tl.Reset()
	if len(tl.Lines()) != 0 || len(tl.Take()) != 0 {
		t.Fatalf("after Reset: %q", tl.Lines())
	}
	_ = deleted.Send(ctx, nil, 3)
	tl.AssertOrder("post_delete")
}

func TestRecordRefusesBadInput(t *testing.T) {
	sig := signals.New[saved]("post_save")
	for name, f := range map[string]func(){
		"no signals":        func() { signalstest.RecordAll[saved](t, nil) },
		"Describe mismatch": func() { signalstest.Record(t, sig, signalstest.Describe(func(string, int) string { return "" })) },
		"nil signal":        func() { signalstest.Record[saved](t, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "signals") {
					t.Fatalf("panic %v", v)
				}
			}()
			f()
		})
	}
	if n := len(sig.Receivers()); n != 0 {
		t.Fatalf("%d receivers left connected", n)
	}
}

// A Timeline serves every case of a table test: Reset it between cases.
func ExampleTimeline_Reset() {
	t := &testing.T{} // in a real test, the *testing.T of the test
	pre := signals.New[string]("pre_save")
	post := signals.New[string]("post_save")
	tl := signalstest.NewTimeline(t)
	signalstest.RecordAll(t, []*signals.Signal[string]{pre, post}, signalstest.OnTimeline(tl))

	for _, create := range []bool{true, false} {
		tl.Reset()
		if create { // the code under test
			_ = pre.Send(context.Background(), nil, "book")
		}
		_ = post.Send(context.Background(), nil, "book")
		fmt.Println(tl.Names())
	}
	// Output:
	// [pre_save post_save]
	// [post_save]
}

// Describe and AssertNext check a sequence of events across signals, step
// by step; Take returns the typed events of the step.
func ExampleTimeline_AssertNext() {
	t := &testing.T{} // in a real test, the *testing.T of the test
	pre := signals.New[int]("pre_save")
	post := signals.New[int]("post_save")
	tl := signalstest.NewTimeline(t)
	rec := signalstest.RecordAll(t, []*signals.Signal[int]{pre, post}, signalstest.OnTimeline(tl),
		signalstest.Describe(func(signal string, id int) string { return fmt.Sprint(signal, " #", id) }))

	ctx := context.Background()
	_ = pre.Send(ctx, nil, 7) // the code under test
	tl.Add("INSERT")
	_ = post.Send(ctx, nil, 7)

	fmt.Println(tl.AssertNext("pre_save #7", "INSERT", "post_save #7"))
	fmt.Println(rec.Take())
	// Output:
	// true
	// [7 7]
}
