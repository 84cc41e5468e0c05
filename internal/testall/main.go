// Command testall runs every test of every module of the workspace: the
// README's test command.
//
//	go run ./internal/testall [go test flags]
//
// It runs "go test -race github.com/gosignals/signals/..." (the module path
// prefix matches every workspace module). The race detector needs cgo and a
// C compiler; where there is none (a machine with only Go installed), the
// tests run without it and a notice says so, except under CI=true, where
// that is an error. Extra arguments are passed to go test.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

const pattern = "github.com/gosignals/signals/..."

func main() {
	args := []string{"test"}
	if raceAvailable() {
		args = append(args, "-race")
	} else if os.Getenv("CI") == "true" {
		fmt.Fprintln(os.Stderr, "testall: CI=true needs the race detector, which needs cgo and a C compiler (CGO_ENABLED=1, gcc or clang)")
		os.Exit(2)
	} else {
		fmt.Fprintln(os.Stderr, "testall: no C compiler (or CGO_ENABLED=0): running the tests without -race")
	}
	// An explicit timeout above go test's default of 10 minutes per package:
	// a loaded machine must make the suite slower, never make it fail.
	args = append(args, "-timeout", "30m")
	args = append(args, os.Args[1:]...)
	args = append(args, pattern)
	fmt.Fprintln(os.Stderr, "testall: go", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	cmd.Stdout, cmd.Stderr, cmd.Stdin = os.Stdout, os.Stderr, os.Stdin
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "testall:", err)
		os.Exit(1)
	}
}

// raceAvailable reports whether go test -race can build here: cgo enabled
// and its C compiler present.
func raceAvailable() bool {
	out, err := exec.Command("go", "env", "CGO_ENABLED", "CC").Output()
	if err != nil {
		return false
	}
	f := strings.Fields(string(out))
	if len(f) < 2 || f[0] != "1" {
		return false
	}
	_, err = exec.LookPath(f[1])
	return err == nil
}
