// Command bookstore is the example application of the signals project: a
// small bookstore whose receivers are the ones Django's documentation and
// tutorials show (a default title, a notification, cover files, tag
// counters, an audit log, a cache invalidated after commit), on GORM and an
// embedded, pure-Go SQLite database.
//
// Usage:
//
//	go run ./bookstore [-v]      run the scripted scenario and print what fired
//	                             (-v: list every SQL statement, migration
//	                             probes and outbox bookkeeping included)
//	go run ./bookstore serve     serve the HTTP API and /debug/signals
//
// The scenario runs in a temporary directory and removes it afterwards. The
// durable receiver in broker mode (PostgreSQL with NATS JetStream or River,
// and River UI) is the command bookstore/worker, built apart so that this
// one compiles no broker client.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

func main() {
	verbose := flag.Bool("v", false, "list every SQL statement of the scenario (migration probes and the outbox's bookkeeping are folded into one line each otherwise)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: bookstore [-v] [scenario [-v] | serve [-addr host:port] [-dir path]]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	mode, args := "scenario", []string(nil)
	if flag.NArg() > 0 {
		mode, args = flag.Arg(0), flag.Args()[1:]
	}
	var err error
	switch mode {
	case "scenario":
		fs := flag.NewFlagSet("scenario", flag.ExitOnError)
		fs.BoolVar(verbose, "v", *verbose, "list every SQL statement")
		_ = fs.Parse(args)
		err = scenarioMain(*verbose)
	case "serve":
		err = serveMain(args)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bookstore:", err)
		os.Exit(1)
	}
}

func scenarioMain(verbose bool) error {
	dir, err := os.MkdirTemp("", "bookstore-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return runScenario(context.Background(), os.Stdout, dir, verbose)
}
