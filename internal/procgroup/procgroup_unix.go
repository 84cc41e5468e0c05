//go:build unix

// Package procgroup runs a command in a process group of its own, so that
// cancelling it kills what it started too (go's compiler and git,
// Chromium's helpers), not only the command.
package procgroup

import (
	"os/exec"
	"syscall"
)

// Set makes cmd start a process group of its own and its cancellation
// kill the whole group.
func Set(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
