//go:build !unix

// Package procgroup runs a command in a process group of its own, so that
// cancelling it kills what it started too (go's compiler and git,
// Chromium's helpers), not only the command.
package procgroup

import "os/exec"

// Set leaves cmd as it is where there are no process groups: its
// cancellation kills the command only.
func Set(*exec.Cmd) {}
