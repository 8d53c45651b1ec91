package target

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// raceExitCode is the status a -race build exits with after reporting a data race, so
// that a race is caught even when the report scrolls out of the kept output.
const raceExitCode = 66

// Process is a server the checker started. Stop must be called once it is no longer
// needed; it ends the server's whole process group, so nothing it started lingers.
type Process struct {
	Addr string // host:port the server listens on

	cmd  *exec.Cmd
	out  *output
	done chan struct{} // closed when the process has exited
	err  error         // the result of Wait, readable once done is closed
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Expand fills the placeholders of a start command: {addr} (host:port), {host} and {port}.
func Expand(command, addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	return strings.NewReplacer("{addr}", addr, "{host}", host, "{port}", port).Replace(command)
}

// Start runs argv with the server's output captured, and waits until a TCP client can
// connect to addr or until ready has passed.
func Start(ctx context.Context, argv []string, addr string, ready time.Duration) (*Process, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	p := &Process{Addr: addr, cmd: cmd, out: &output{}, done: make(chan struct{})}
	cmd.Stdout = p.out
	cmd.Stderr = p.out
	// A -race build sleeps a second before it exits, to let reports flush; the checker
	// reads the output only after exit, so that second is waste on every scenario.
	cmd.Env = append(os.Environ(), "GORACE=halt_on_error=0 atexit_sleep_ms=0 exitcode="+strconv.Itoa(raceExitCode))
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", strings.Join(argv, " "), err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := p.waitListening(ctx, ready); err != nil {
		p.Stop(time.Second)
		return nil, err
	}
	return p, nil
}

// waitListening polls addr until it accepts a connection. Polling is the only portable
// way to learn that another process has called listen; each attempt is bounded.
func (p *Process) waitListening(ctx context.Context, ready time.Duration) error {
	deadline := time.Now().Add(ready)
	for delay := 2 * time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		c, err := net.DialTimeout("tcp", p.Addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("the server exited before it listened on %s (%s); its output:\n%s",
				p.Addr, p.exitDescription(), p.outputForMessage())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not listen on %s within %s; is it using the -addr flag the checker passed? Its output:\n%s",
				p.Addr, ready, p.outputForMessage())
		}
	}
}

// Output is everything the server has printed so far (cut in the middle if long).
func (p *Process) Output() string { return p.out.String() }

// outputForMessage is the server's output for an error message, or a note that there
// was none.
func (p *Process) outputForMessage() string {
	if out := p.Output(); strings.TrimSpace(out) != "" {
		return indent(out)
	}
	return "    (it printed nothing)"
}

// Signal sends sig to the server process itself (not its group).
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Done is closed when the server has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitCode is the server's exit status once Done is closed: -1 if a signal ended it.
func (p *Process) ExitCode() int { return p.cmd.ProcessState.ExitCode() }

// Raced reports whether the server reported a data race.
func (p *Process) Raced() bool {
	select {
	case <-p.done:
		if p.cmd.ProcessState.ExitCode() == raceExitCode {
			return true
		}
	default:
	}
	return strings.Contains(p.Output(), "WARNING: DATA RACE")
}

// Panicked reports whether the server's output shows a Go panic or fatal runtime error.
func (p *Process) Panicked() bool {
	out := p.Output()
	return strings.Contains(out, "\npanic: ") || strings.HasPrefix(out, "panic: ") ||
		strings.Contains(out, "fatal error: ")
}

// Stop ends the server: a polite SIGTERM to its process group, then after grace a
// SIGKILL. It returns once the process has exited.
func (p *Process) Stop(grace time.Duration) {
	select {
	case <-p.done:
		killGroup(p.cmd) // the server is gone; make sure its children are too
		return
	default:
	}
	terminateGroup(p.cmd)
	select {
	case <-p.done:
	case <-time.After(grace):
		killGroup(p.cmd)
		<-p.done
	}
	killGroup(p.cmd)
}

func (p *Process) exitDescription() string {
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.String()
	}
	if p.err != nil {
		return p.err.Error()
	}
	return "exit status 0"
}
