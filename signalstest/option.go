package signalstest

import "github.com/gosignals/signals"

// An Option configures [Record] and [RecordAll].
type Option func(*options)

type options struct {
	connect  []signals.Option
	tl       *Timeline
	describe any // func(signal string, ev T) string
}

// WithSender records only the events sent by sender.
func WithSender(sender any) Option {
	return func(o *options) { o.connect = append(o.connect, signals.Sender(sender)) }
}

// WithConnectOptions passes options (priority, name, ...) to the connection.
func WithConnectOptions(opts ...signals.Option) Option {
	return func(o *options) { o.connect = append(o.connect, opts...) }
}

// OnTimeline also records each call on tl, to assert the order of events
// across signals.
func OnTimeline(tl *Timeline) Option {
	return func(o *options) { o.tl = tl }
}

// Describe sets the line a recorder writes on its [Timeline] for each
// event: fn gets the name of the signal and the event. Without it the line
// is the signal's name. T must be the recorder's event type; [Record]
// panics otherwise.
//
//	signalstest.Describe(func(signal string, ev modelsignals.SaveEvent) string {
//		return signal + " " + ev.Model.Label
//	})
func Describe[T any](fn func(signal string, ev T) string) Option {
	return func(o *options) { o.describe = fn }
}
