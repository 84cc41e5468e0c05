//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// killGroup runs cmd in a process group of its own and has its
// cancellation kill the whole group.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
