package load

import (
	"errors"
	"time"
)

// procSample is the server's resource use at one moment.
type procSample struct {
	cpu time.Duration // user + system time of all its threads so far
	rss int64         // resident memory now, bytes
	hwm int64         // peak resident memory so far, bytes
	// writes is how many write system calls (write, writev, send...) it has made, or
	// -1 if unknown: with the deliveries, it shows how well the server coalesces.
	writes int64
}

// errNoPid is why resources are unavailable when the server's process is unknown.
var errNoPid = errors.New("unavailable: the server's process is unknown (attached with -addr and no -pid)")

// sample reads the server's resource use, if its process is known.
func (r *run) sample() (procSample, error) {
	if r.target.Pid <= 0 {
		return procSample{}, errNoPid
	}
	return readProc(r.target.Pid)
}
