//go:build unix && !linux

package target

import "syscall"

// setParentDeathSignal does nothing where the kernel offers no such signal; the
// checker's own signal handling stops the server instead.
func setParentDeathSignal(*syscall.SysProcAttr) {}
