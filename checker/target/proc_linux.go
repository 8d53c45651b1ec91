//go:build linux

package target

import "syscall"

// setParentDeathSignal asks Linux to kill the server if the checker itself dies without
// a chance to clean up (kill -9), so no orphan keeps the port.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
