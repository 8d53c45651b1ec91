//go:build unix

package target

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts the server in a process group of its own, so that stopping it
// also stops anything it started (a shell wrapper, a Python interpreter, go run's child).
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(cmd.SysProcAttr)
}

func terminateGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

func killGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }

// ShellCommand runs a learner's start command through the shell, so quoting and
// environment assignments work as they do at a prompt.
func ShellCommand(command string) []string { return []string{"/bin/sh", "-c", "exec " + command} }
