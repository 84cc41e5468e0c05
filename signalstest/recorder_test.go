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
