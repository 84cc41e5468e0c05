// Command bookstore is the example application of the signals project: a
// small bookstore whose receivers are the ones Django's documentation and
// tutorials show (a default title, a notification, cover files, tag
// counters, an audit log, a cache invalidated after commit), on GORM and an
// embedded SQLite database.
//
// Usage:
//
//	go run ./bookstore            run the scripted scenario and print what fired
//	go run ./bookstore serve      serve the HTTP API and /debug/signals
//	go run ./bookstore worker -postgres DSN -nats URL [-demo]
//	                              run the durable receivers in broker mode
//
// The scenario runs in a temporary directory and removes it afterwards.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: bookstore [scenario | serve [-addr host:port] [-dir path] | worker [-postgres DSN] [-nats URL] [-demo]]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	mode := "scenario"
	if flag.NArg() > 0 {
		mode = flag.Arg(0)
	}
	var err error
	switch mode {
	case "scenario":
		err = scenarioMain()
	case "serve":
		err = serveMain(flag.Args()[1:])
	case "worker":
		err = workerMain(flag.Args()[1:])
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bookstore:", err)
		os.Exit(1)
	}
}

func scenarioMain() error {
	dir, err := os.MkdirTemp("", "bookstore-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return runScenario(context.Background(), os.Stdout, dir)
}
