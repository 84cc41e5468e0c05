//go:build !unix

package browsertest

import "os/exec"

// killGroup leaves cmd as it is: its cancellation kills the command only.
func killGroup(*exec.Cmd) {}
