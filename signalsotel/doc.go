// Package signalsotel instruments every signal with OpenTelemetry: a span
// per send and per receiver call, and metrics of sends and calls.
//
//	stop, err := signalsotel.Install() // global tracer and meter providers
//	defer stop()
//
// It is a [signals.Observer] (see signals.Observe): once installed, every
// signal of the program reports to it, with no change to senders or
// receivers. Receivers run inside their span, so what they trace (a query,
// an HTTP call) nests under it.
//
// # Spans
//
// "send <signal>" spans a whole send and carries the signal's name, the
// sender, the kind of send (send, send_robust, send_async), the number of
// receivers and the outcome. "receive <signal>" spans one receiver call,
// with the receiver's name, mode and where it was connected
// (code.function.name, code.file.path, code.line.number). An error or a
// panic sets the span's status to Error and records the error.
//
// # Metrics
//
// signals.sends and signals.receiver.calls count sends and calls by
// outcome; signals.send.duration and signals.receiver.duration are
// histograms in seconds.
//
// # Logs
//
// SendRobust and SendAsync log each failure with log/slog, with the failing
// receiver's context; [LogHandler] adds its trace_id and span_id to the
// record, so logs and traces meet.
//
// Muted sends and sends that call no receiver are not reported. While no
// observer is installed, sends do not pay for any of this.
package signalsotel
