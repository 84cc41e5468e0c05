// Package signalsdebug serves a /debug/signals page, in the spirit of
// net/http/pprof and expvar: at any moment a developer can see what will
// run, what ran, in what order, from where, and how long it took.
//
//	mux.Handle("/debug/signals/", signalsdebug.Handler())
//
// The page is rendered on the server with html/template (no JavaScript, no
// front-end build). It shows:
//
//   - every signal made by signals.New, with its receivers in call order:
//     name, the file:line where each was connected, its sender, dispatch
//     UID, priority and delivery mode (inline, after_commit, durable);
//   - each receiver's statistics (calls, errors, panics, p50 and p99
//     latency) when signals.EnableStats is on;
//   - for every registered model (modelsignals.Models), the receivers each
//     model signal would call for it;
//   - the recent traces (signals.StartTrace), as timelines: each send,
//     receiver call, SQL statement and other step, nested where it
//     happened, with its duration and outcome;
//   - with [WithOutbox], the durable receivers of an outbox: each one's
//     backlog, lag, attempts and last error, and the dead letters with
//     their error and a [Preview] of their payload (values redacted unless
//     [ShowValues]; fields tagged signals:"sensitive" always), and, with
//     [AllowReplay], a button replaying each.
//
// The same data is served as JSON with ?format=json or at the path
// ".../json"; [Collect] returns it as a [Snapshot].
//
// The page shows function names, file paths and SQL: like pprof, mount it
// only where developers can reach it.
package signalsdebug
