//go:build linux

package load

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat. The kernel reports them in
// USER_HZ, which is 100 on every Linux architecture Go supports.
const userHZ = 100

// readProc reads the CPU time of process pid from /proc/PID/stat (utime and stime, the
// 14th and 15th fields, summed over all its threads) and its resident memory from
// /proc/PID/status (VmRSS now, VmHWM at its peak), and the write system calls it has
// made from /proc/PID/io.
func readProc(pid int) (procSample, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procSample{}, fmt.Errorf("unavailable: %w", err)
	}
	// The command name (field 2) is in parentheses and may contain spaces; the fields
	// that follow are counted from the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return procSample{}, fmt.Errorf("unavailable: cannot parse /proc/%d/stat", pid)
	}
	fields := bytes.Fields(stat[i+1:]) // fields[0] is field 3, the state
	if len(fields) < 13 {
		return procSample{}, fmt.Errorf("unavailable: cannot parse /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(string(fields[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(fields[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return procSample{}, fmt.Errorf("unavailable: cannot parse /proc/%d/stat", pid)
	}
	s := procSample{cpu: time.Duration(utime+stime) * time.Second / userHZ}

	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procSample{}, fmt.Errorf("unavailable: %w", err)
	}
	for _, line := range bytes.Split(status, []byte("\n")) {
		switch {
		case bytes.HasPrefix(line, []byte("VmRSS:")):
			s.rss = kilobytes(line)
		case bytes.HasPrefix(line, []byte("VmHWM:")):
			s.hwm = kilobytes(line)
		}
	}
	// /proc/PID/io counts system calls; reading it needs the same rights as ptrace, so
	// a server of another user leaves it unknown.
	s.writes = -1
	if io, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid)); err == nil {
		for _, line := range bytes.Split(io, []byte("\n")) {
			if v, ok := bytes.CutPrefix(line, []byte("syscw:")); ok {
				if n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64); err == nil {
					s.writes = n
				}
			}
		}
	}
	return s, nil
}

// kilobytes reads a /proc/PID/status line such as "VmRSS:	   10240 kB" in bytes.
func kilobytes(line []byte) int64 {
	f := bytes.Fields(line)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return n << 10
}
