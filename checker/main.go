// Command checker verifies a lesson's server: it starts the server (or attaches to one
// that is already running), connects simulated clients, speaks the lesson's protocol and
// reports, scenario by scenario, what passed and exactly what went wrong.
//
// Usage:
//
//	checker [check] -lesson 04 [-solution] [-run NAME] [-seed N] ...
//	checker progress
//	checker hint -lesson 04 [-all | -reset | -n K]
//	checker watch -lesson 04
//	checker diff -lesson 04
//	checker help
//
// See docs/checker.md for the whole contract, including servers in other languages.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// stdio is where a command reads and writes: the process's own streams, or a test's
// buffers.
type stdio struct {
	in    io.Reader
	out   io.Writer
	err   io.Writer
	tty   bool // out is a terminal: failures after the first are shown briefly
	color bool // out is a terminal that wants colour (NO_COLOR unset)
}

// command is one sub-command of the checker.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string, sio stdio) int
}

func commands() []command {
	return []command{
		{"check", "check a lesson's server (the default); with no lesson, the first that does not pass yet", runCheck},
		{"progress", "show every lesson with pass or fail", runProgress},
		{"hint", "show a lesson's hints, one at a time", runHint},
		{"watch", "re-run a lesson's check whenever one of its files is saved", runWatch},
		{"diff", "show your lesson's code against the reference solution", runDiff},
		{"load", "load-test a chat server and report throughput and latency",
			func(ctx context.Context, args []string, _ stdio) int { return runLoad(ctx, args) }},
	}
}

func main() {
	// An interrupt (Ctrl-C) cancels the context: the running scenario's clients are
	// closed and its server's process group stopped before the checker exits. So does
	// SIGPIPE, as when the reader of make check | head goes away: without it Go's runtime
	// would end the checker at its next write, leaving its temporary build behind.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	defer stop()
	tty := isTerminal(os.Stdout)
	color := tty && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	sio := stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, tty: tty, color: color}
	os.Exit(dispatch(ctx, os.Args[1:], sio))
}

// dispatch runs the sub-command named by args[0], or check when args[0] is a flag or a
// lesson.
func dispatch(ctx context.Context, args []string, sio stdio) int {
	if len(args) > 0 {
		for _, c := range commands() {
			if args[0] == c.name {
				return c.run(ctx, args[1:], sio)
			}
		}
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintln(sio.out, "usage: checker [command] [flags]\n\ncommands:")
			for _, c := range commands() {
				fmt.Fprintf(sio.out, "  %-10s %s\n", c.name, c.usage)
			}
			fmt.Fprintln(sio.out, "\nrun 'checker COMMAND -h' for a command's flags; docs/checker.md has the whole contract")
			return exitPass
		}
	}
	return runCheck(ctx, args, sio)
}

// isTerminal reports whether f is a terminal rather than a file or a pipe.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
