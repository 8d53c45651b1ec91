package load

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gochat-course/gochat/checker/target"
)

// Server is a server to put under load: a Go main package, a start command, or an
// address where one already listens. Exactly one of Dir, Command, Argv and Addr is set.
type Server struct {
	Label   string   // how reports name it: "go: solutions/10-room-chat", "asyncio"
	Dir     string   // a Go main package, built once without the race detector
	Flags   []string // extra flags for a Dir server, after -addr
	Command string   // a shell command with {port}, {host} or {addr}
	Argv    []string // a program and its arguments, with the same placeholders
	Addr    string   // attach to this address instead of starting anything
	Pid     int      // with Addr: the server's process id, for its CPU and memory
}

// Prepare builds a Dir server into outDir, without -race: the race detector slows a
// server down several times and would make every figure meaningless. It leaves other
// servers as they are.
func (s *Server) Prepare(ctx context.Context, outDir string) error {
	if s.Dir == "" {
		return nil
	}
	bin, err := target.BuildWithoutRace(ctx, s.Dir, outDir)
	if err != nil {
		return err
	}
	s.Argv = append([]string{bin, "-addr", "{addr}"}, s.Flags...)
	return nil
}

// Running is a started (or attached) server.
type Running struct {
	Target
	proc *target.Process
}

// Start starts the server on a free loopback port, waiting up to ready for it to
// listen. A server attached by address is not started.
func (s *Server) Start(ctx context.Context, ready time.Duration) (*Running, error) {
	if s.Addr != "" {
		return &Running{Target: Target{Addr: s.Addr, Pid: s.Pid}}, nil
	}
	addr, err := target.FreeAddr()
	if err != nil {
		return nil, err
	}
	var argv []string
	switch {
	case s.Command != "":
		argv = target.ShellCommand(target.Expand(s.Command, addr))
	case len(s.Argv) > 0:
		for _, a := range s.Argv {
			argv = append(argv, target.Expand(a, addr))
		}
	default:
		return nil, fmt.Errorf("server %q: nothing to start (Prepare builds a Dir server)", s.Label)
	}
	p, err := target.Start(ctx, argv, addr, ready)
	if err != nil {
		return nil, err
	}
	r := &Running{Target: Target{Addr: addr, Pid: p.Pid()}, proc: p}
	r.Target.Stop = r.stop
	return r, nil
}

func (r *Running) stop() {
	if r.proc != nil {
		r.proc.Stop(3 * time.Second)
	}
}

// Close stops the server if the run has not already.
func (r *Running) Close() { r.stop() }

// Output is the tail of what the server printed, or "" for an attached server.
func (r *Running) Output() string {
	if r.proc == nil {
		return ""
	}
	out := r.proc.Output()
	if len(out) > 2000 {
		out = "..." + out[len(out)-2000:]
	}
	return strings.TrimSpace(out)
}
