// Package signals is a typed, lock-free implementation of Django's signal
// dispatcher (django.dispatch.Signal) for Go.
//
// A [Signal] carries one event type. Code that causes something sends an
// event; code that wants to react connects a receiver, without either
// knowing the other:
//
//	var BookSaved = signals.New[BookEvent]("book_saved")
//
//	signals.BookSaved.ConnectFunc(func(ctx context.Context, ev BookEvent) error {
//		return index.Update(ctx, ev.Book)
//	})
//
//	err := BookSaved.Send(ctx, nil, BookEvent{Book: b})
//
// The model signals of an ORM (pre_save, post_save, pre_delete, ...) are
// built on this package by the packages modelsignals and signalsgorm.
//
// # Receivers
//
// A receiver is a [Receiver] or a plain function
// func(ctx context.Context, ev T) error, connected with [Signal.Connect] or
// [Signal.ConnectFunc]. Connect returns a [Handle] whose
// [Handle.Disconnect] removes that connection (and fits t.Cleanup).
// [ConnectAll] connects one receiver to several signals of the same event
// type, like @receiver([a, b]).
//
// As in Django, a receiver is connected once per sender: connecting it
// again returns a Handle to the first connection. Receivers are the same
// when their func values (pointers to their closures) are, or for a
// pointer [Receiver] the pointers: a capturing closure or a method value
// (obj.M) is new at each evaluation, as are the closures wrappers such as
// modelsignals.OnPreSave connect. [UID] makes connecting idempotent where
// identity cannot; [Signal.DisconnectUID] removes it.
//
// Connecting is part of the program, not of its data: Connect and its
// siblings panic on a nil signal, a nil receiver or an invalid option, as
// [net/http.Handle] does, with a message "signals: Connect: what is wrong;
// what to do". Everything that can fail at run time (a receiver, a send)
// returns an error.
//
// Where each receiver was connected (function, file:line) is recorded once,
// at connect time, and reported by [Signal.Receivers], in errors and in logs.
//
// # Senders
//
// A send names a sender, any comparable value; model signals use the model's
// type. A receiver connected with [Sender](x) is called only for sends from
// x (compared with ==, Django compares identities); a receiver connected
// without a sender is called for every send. [Signal.HasListeners] tells an
// emitter in one atomic load and one map look-up whether anybody would be
// called, so that it can skip building the event. [Signal.CheckSenders]
// lets a signal refuse senders it is never sent with; [Signal.Alias] makes
// the receivers of one sender receivers of another.
//
// # Ordering and errors
//
// Receivers are called one at a time, in the sender's goroutine, in
// registration order, receivers of every sender and receivers of this
// sender interleaved. [Priority] moves a receiver ahead of or behind
// the others; equal priorities keep registration order.
//
// [Signal.Send] stops at the first error and returns it as a *[ReceiverError]
// naming the signal and the receiver; errors.Is and errors.As see the
// receiver's error through it. A panic in a receiver is not recovered by
// Send: it reaches the sender as if it had called the receiver itself, and
// the signal is unaffected (no lock is held during calls).
//
// [Signal.SendRobust] calls every receiver whatever happens, recovers panics
// into *[PanicError] (with the stack), logs each failure with log/slog and
// returns an [errors.Join] of them; [Signal.SendRobustResults] also returns
// each receiver's [Result]. [Signal.SendAsync] runs the receivers
// concurrently, optionally bounded by [MaxConcurrency], waits for them and
// returns their results in registration order; a cancelled context stops
// receivers from starting.
//
// # Snapshots and re-entrancy
//
// Every send works on the receivers connected when it started:
// receivers connected during a send are called from the next one, and a
// receiver disconnected during a send is still called by it. Receivers may
// connect, disconnect and send, also on the same signal, without deadlock.
//
// # Muting
//
// [Mute] returns a context in which the given signals call nothing, and
// [MuteAll] one in which every signal is silent. Unlike disconnecting
// receivers (Django's usual trick for fixtures), muting is scoped to the
// work done with that context and so is safe with concurrent goroutines and
// parallel tests. A signal that was never muted does not even look at the
// context.
//
// # Owned receivers
//
// Receivers are held strongly: a closure stays connected until it is
// disconnected. Django's default weak references silently drop lambdas and
// local functions, a frequent surprise, so this package does not copy
// it. For receivers that belong to an object with a lifetime of its own,
// [ConnectOwned] holds the owner weakly and disconnects the receiver after
// the owner is garbage collected.
//
// # Seeing what runs
//
// Django warns that signals make application logic harder to follow. This
// package answers with introspection: at any moment a program can list
// what will run, what ran, in what order, from where and how long it took.
// The page of package signalsdebug shows all of it in a browser.
//
//   - Registry: [All] lists every signal made by [New] (held weakly, so
//     signals made in tests can be collected), [Lookup] finds one by name,
//     and [Signal.Receivers] gives its receivers in call order with their
//     [ReceiverInfo]: name, function, file:line of the Connect call, sender,
//     UID, priority and delivery mode ([Mode]: inline, after_commit,
//     durable).
//   - Statistics: [EnableStats] counts, per receiver, calls, errors and
//     panics, and times one call in [SetLatencySampling] (64 by default)
//     for p50, p99, mean and max latency ([Signal.Stats]).
//   - Traces: [StartTrace] returns a context that records every send and
//     receiver call made with it (or a context derived from it), nested
//     where they happen, with durations and outcomes. Packages built on
//     signals add their own steps with [StartStep] and [RecordStep]:
//     signalsgorm records the SQL of each statement, on-commit hooks and
//     outbox deliveries their own, so a trace of a save reads pre_save →
//     SQL → post_save → on_commit → enqueue → worker. [WithTraceOf] carries
//     a trace across a hand-off (a worker). Stopped traces are kept in a
//     short history, [Traces].
//   - Observers: [Observe] installs an [Observer] told about every send and
//     receiver call, the hook of the OpenTelemetry module signalsotel.
//
// None of this costs anything until it is used: a send loads one flags
// word of its signal and one global word, and takes a separate slow path
// only when muting, statistics, a trace or an observer needs it. With
// statistics on, a receiver call costs one more atomic addition (and a
// clock read for the sampled calls).
//
// # Differences from Django
//
//   - Events are typed; there are no keyword arguments to misspell, and a new
//     event field does not break existing receivers.
//   - A sender filter compares with ==, not identity; for model signals the
//     sender is the model's type, which has one identity anyway.
//   - Without a [UID], duplicates are detected by func value, not by the
//     function: a method value or a capturing closure made anew is another
//     receiver.
//   - A UID is required to be non-empty, where Django silently ignores a
//     falsy dispatch_uid.
//   - Sends do not return receivers' return values: receivers return only an
//     error.
//   - SendAsync runs all receivers concurrently, where Django runs sync
//     receivers first and then gathers async ones.
//
// The guide docs/coming-from-django.md in the repository maps Django's
// signals onto this package, and docs/transactions.md tells how model
// signals meet transactions and on_commit.
package signals
