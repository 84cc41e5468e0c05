// Command release checks that the workspace's modules can be released and
// fetched with go get, the way docs/releasing.md describes.
//
//	go run ./internal/release check        # go.mod files ready to tag
//	go run ./internal/release proxy DIR    # a file-based GOPROXY of this tree
//	go run ./internal/release quickstart   # go get the modules, build and run the Quick Start
//
// check fails when a module's go.mod has a replace directive (those belong
// in go.work), when two modules require one dependency at different
// versions, or when the modules require each other at a version other than
// the one go.work's replacements name (the version of the next tags).
//
// proxy writes what a module proxy would serve for each published module
// (every module go.work replaces) at that version: @v/list, .info, .mod
// and the module zip, made from the files git tracks.
//
// quickstart builds such a proxy in a temporary directory, then, outside
// the workspace, makes a new module, go gets the root module and
// signalsgorm from it (third-party modules come from GOPROXY as usual),
// and runs examples/quickstart/main.go, which is the README's Quick Start:
// it must print what the README says it prints.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "check":
		err = check()
	case "proxy":
		if len(os.Args) != 3 {
			usage()
		}
		var ws *workspace
		if ws, err = loadWorkspace(); err == nil {
			err = ws.writeProxy(os.Args[2])
		}
	case "quickstart":
		err = quickstart()
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go run ./internal/release check | proxy DIR | quickstart")
	os.Exit(2)
}
