//go:build windows

package target

import "os/exec"

// ownProcessGroup does nothing on Windows: the checker stops the server process directly.
func ownProcessGroup(*exec.Cmd) {}

func terminateGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// ShellCommand runs a learner's start command through cmd.exe.
func ShellCommand(command string) []string { return []string{"cmd", "/C", command} }
