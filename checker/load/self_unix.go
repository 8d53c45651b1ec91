//go:build unix

package load

import (
	"syscall"
	"time"
)

// selfCPU is the load tool's own CPU time so far (user + system), or -1.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raiseFileLimit raises this process's limit on open files to its hard limit, since every
// client is a file descriptor, and returns the limit before and after (0 if unknown).
// Servers the run starts inherit the raised limit.
func raiseFileLimit() (before, after uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0
	}
	before = uint64(lim.Cur)
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = raised.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			lim = raised
		}
	}
	return before, uint64(lim.Cur)
}
