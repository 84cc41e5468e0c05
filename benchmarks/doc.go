// Package benchmarks compares the signals library with Django and with the
// Go alternatives, on the same workloads, in one run:
//
//	cd benchmarks && go run ./cmd/compare
//
// (or make compare at the repository's root) runs the Go benchmarks of this
// package and the Django script in benchmarks/django, each as its own
// process, prints one table with each pair and its ratio, and writes it to
// benchmarks/RESULTS.md.
//
// # Workloads
//
//   - Dispatch: one event sent to 0, 1 and 10 no-op receivers
//     (BenchmarkSend): the signals library's Signal.Send, a plain loop over
//     func values (the floor), asaskevich/EventBus's Publish; Django's
//     Signal.send. Asynchronous delivery to 1 and 10 receivers, waiting for
//     all (BenchmarkSendAsync): Signal.SendAsync and Watermill's gochannel
//     with BlockPublishUntilSubscriberAck.
//   - Save: 5 000 new objects, one INSERT each, in one transaction, with a
//     pre_save and a post_save receiver (BenchmarkSave): GORM alone (the
//     floor), GORM's BeforeSave/AfterSave hook methods, the signalsgorm
//     plugin; Django's Model.save() in transaction.atomic().
//   - Cascade: deleting one author with 2 000 books of 5 comments each,
//     with a pre_delete and a post_delete receiver for every model
//     (BenchmarkCascade): GORM with the database's ON DELETE CASCADE and no
//     signals (the floor), the signalsgorm plugin; Django's author.delete().
//
// Every workload runs on SQLite files in a temporary directory, opened with
// SQLite's defaults and foreign keys on, as Django opens them. The Go side
// uses modernc.org/sqlite, the pure-Go SQLite the project tests with.
// Statements are counted in the database/sql driver (package workload), and
// in Django with connection.execute_wrapper; both count SELECT, INSERT,
// UPDATE and DELETE statements, not transaction control.
//
// The benchmarks run alone too:
//
//	go test -run '^$' -bench . -benchmem .
//
// The save and cascade benchmarks time one whole workload per iteration;
// run them with -benchtime 1x -count 3. Their sizes are flags of the test
// binary: -saves, -books, -comments.
//
// # Instruction counts
//
// Times vary with the machine's load; instruction counts do not.
//
//	cd benchmarks && go run ./cmd/instructions [-base REF] gorm|cascade|send|all
//
// (or make instructions [BASE=REF]) counts the instructions per operation
// of GORM Create, Save and Delete with and without the plugin, of the
// cascade and of Send, under valgrind's callgrind, with the allocations per
// operation beside; with -base it builds the same harness (cmd/cggorm and
// cmd/cgsend) against another commit and shows both sides and the change.
// See README.md.
package benchmarks
