//go:build !unix

package load

import "time"

// selfCPU is unknown where there is no getrusage.
func selfCPU() time.Duration { return -1 }

// raiseFileLimit leaves the limit alone where there is no setrlimit.
func raiseFileLimit() (before, after uint64) { return 0, 0 }
