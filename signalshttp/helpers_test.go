package signalshttp_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/gosignals/signals/internal/testlog"
	"github.com/gosignals/signals/signalshttp"
	"github.com/gosignals/signals/signalstest"
)

// opaque is an inner middleware's writer that hides the writer it wraps.
type opaque struct{ http.ResponseWriter }

// unwrapping is an inner middleware's writer that has Unwrap.
type unwrapping struct{ opaque }

func (w unwrapping) Unwrap() http.ResponseWriter { return w.opaque.ResponseWriter }

// testSender gives every test its own sender, so that tests running in
// parallel do not hear each other's requests on the package's signals.
type testSender string

// recorders records the three signals of one test's middleware on one
// timeline.
type recorders struct {
	sender   testSender
	tl       *signalstest.Timeline
	started  *signalstest.Recorder[signalshttp.StartedEvent]
	finished *signalstest.Recorder[signalshttp.FinishedEvent]
	exc      *signalstest.Recorder[signalshttp.ExceptionEvent]
	served   chan struct{} // see serve
}

// waitServed waits until the middleware of serve has returned from one
// more request.
func (rs *recorders) waitServed(t *testing.T) {
	t.Helper()
	select {
	case <-rs.served:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler did not return")
	}
}

func record(t *testing.T) *recorders {
	t.Helper()
	s := testSender(t.Name())
	tl := signalstest.NewTimeline(t)
	opts := []signalstest.Option{signalstest.WithSender(s), signalstest.OnTimeline(tl)}
	return &recorders{
		sender:   s,
		tl:       tl,
		started:  signalstest.Record(t, signalshttp.RequestStarted, opts...),
		finished: signalstest.Record(t, signalshttp.RequestFinished, opts...),
		exc:      signalstest.Record(t, signalshttp.GotRequestException, opts...),
	}
}

// middleware returns the test's middleware: its sender, a logger writing to
// the returned buffer, and opts.
func (rs *recorders) middleware(h http.Handler, opts ...signalshttp.Option) (http.Handler, *testlog.Buffer) {
	logs := &testlog.Buffer{}
	opts = append([]signalshttp.Option{
		signalshttp.WithSender(rs.sender),
		signalshttp.WithLogger(slog.New(slog.NewTextHandler(logs, nil))),
	}, opts...)
	return signalshttp.Middleware(opts...)(h), logs
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func deadline() time.Time { return time.Now().Add(time.Minute) }
