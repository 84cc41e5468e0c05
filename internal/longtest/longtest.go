// Package longtest gates the project's long tests: the crash, outage,
// large-deletion and full property tests, which take minutes on a small
// machine. They run when SIGNALS_LONG_TESTS=1 (.ci/run sets it), so the
// README's test command stays quick for a developer.
package longtest

import (
	"os"
	"testing"
)

// Env is the environment variable that turns the long tests on.
const Env = "SIGNALS_LONG_TESTS"

// Enabled reports whether the long tests run: Env is "1" and go test was
// not given -short.
func Enabled() bool {
	return os.Getenv(Env) == "1" && !testing.Short()
}

// Require skips t, saying why and how to run it, unless the long tests
// are enabled.
func Require(t testing.TB, what string) {
	t.Helper()
	if !Enabled() {
		t.Skipf("long test (%s): set %s=1 to run it; .ci/run does", what, Env)
	}
}
