//go:build !linux

package load

import "errors"

// readProc has no portable source of another process's CPU time and memory outside
// Linux's /proc, so those figures are reported as unavailable.
func readProc(int) (procSample, error) {
	return procSample{}, errors.New("unavailable: CPU and memory are read from /proc, which only Linux has")
}
