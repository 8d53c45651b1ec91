// Command checker verifies a lesson's server: it starts the server (or attaches to one
// that is already running), connects simulated clients, speaks the lesson's protocol and
// reports, scenario by scenario, what passed and exactly what went wrong.
//
// Usage:
//
//	checker [check] -lesson 04 [-solution] [-run NAME] [-seed N] ...
//	checker help
//
// See docs/checker.md for the whole contract, including servers in other languages.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// command is one sub-command of the checker.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string) int
}

func commands() []command {
	return []command{
		{"check", "check a lesson's server (the default)", runCheck},
		{"progress", "show every lesson with pass or fail", runProgress},
		{"hint", "show a lesson's hints, one at a time", runHint},
		{"watch", "re-run a lesson's check whenever one of its files is saved", runWatch},
		{"load", "load-test a chat server and report throughput and latency", runLoad},
	}
}

func main() {
	// An interrupt (Ctrl-C) cancels the context: the running scenario's clients are
	// closed and its server's process group stopped before the checker exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(dispatch(ctx, os.Args[1:]))
}

func dispatch(ctx context.Context, args []string) int {
	if len(args) > 0 {
		for _, c := range commands() {
			if args[0] == c.name {
				return c.run(ctx, args[1:])
			}
		}
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			fmt.Println("usage: checker [command] [flags]\n\ncommands:")
			for _, c := range commands() {
				fmt.Printf("  %-10s %s\n", c.name, c.usage)
			}
			fmt.Println("\nrun 'checker COMMAND -h' for a command's flags")
			return 0
		}
	}
	return runCheck(ctx, args)
}
