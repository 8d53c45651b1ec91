package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gochat-course/gochat/checker/lessons"
	"github.com/gochat-course/gochat/checker/report"
	"github.com/gochat-course/gochat/checker/scenario"
)

// Exit statuses of the check command.
const (
	exitPass  = 0 // every scenario passed
	exitFail  = 1 // at least one scenario failed
	exitUsage = 2 // the check could not run: bad flags, a build error
)

func runCheck(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	var (
		lessonName = fs.String("lesson", "", "the lesson to check: 01 to 10, or its directory name")
		solution   = fs.Bool("solution", false, "check the reference solution instead of lessons/NN-*")
		dir        = fs.String("dir", "", "check the Go main package in this directory instead")
		command    = fs.String("cmd", "", "start the server with this shell command; {port}, {host} and {addr} are filled in")
		addr       = fs.String("addr", "", "attach to a server already listening at host:port instead of starting one")
		run        = fs.String("run", "", "run only the scenarios whose names match this regular expression")
		count      = fs.Int("count", 1, "run each scenario this many times (seeds N, N+1, ...)")
		seed       = fs.Int64("seed", 0, "seed for every random choice (0: pick one and print it)")
		scale      = fs.Float64("timescale", 1, "stretch every deadline by this factor on a slow machine")
		jsonOut    = fs.String("json", "", "also write the results as JSON to this file (- for standard output)")
		transcript = fs.String("transcript", "", "write the full transcript of every scenario to this file")
		verbose    = fs.Bool("v", false, "show every failure in full, not only the first")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: checker check -lesson NN [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass
		}
		return exitUsage
	}
	if *lessonName == "" && fs.NArg() == 1 {
		*lessonName = fs.Arg(0)
	}
	if *lessonName == "" {
		fmt.Fprintln(os.Stderr, "checker: which lesson? For example: checker -lesson 01 (or make check LESSON=01)")
		return exitUsage
	}
	lesson, err := lessons.Find(*lessonName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "checker:", err)
		return exitUsage
	}
	tgt, err := chooseTarget(lesson, *solution, *dir, *command, *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "checker:", err)
		return exitUsage
	}
	if *scale <= 0 {
		fmt.Fprintln(os.Stderr, "checker: -timescale must be greater than 0")
		return exitUsage
	}

	text := &report.Text{W: os.Stdout, Color: colorful(os.Stdout), Verbose: *verbose}
	text.Rerun = func(name string, seed int64) string {
		return rerunCommand(lesson, *solution, *dir, *command, *addr, *scale, name, seed)
	}
	opts := scenario.Options{
		Target: tgt, Run: *run, Count: *count, Seed: *seed, Scale: *scale,
		OnReady: text.Header, OnResult: text.Result,
	}
	if tgt.Addr != "" && len(lesson.Flags) > 0 {
		fmt.Printf("attach mode: start your server with these flags so the timings match: %s\n", strings.Join(lesson.Flags, " "))
	}
	if tgt.Dir != "" {
		fmt.Printf("building %s ...\n", tgt.Dir)
	}
	rep, err := scenario.Run(ctx, lesson, opts)
	if err != nil && rep == nil {
		fmt.Fprintln(os.Stderr, "checker:", err)
		return exitUsage
	}
	text.Summary(rep)
	if err := writeOutputs(rep, *jsonOut, *transcript); err != nil {
		fmt.Fprintln(os.Stderr, "checker:", err)
		return exitUsage
	}
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "checker: interrupted; the server was stopped")
		return exitFail
	}
	if !rep.Passed() {
		return exitFail
	}
	return exitPass
}

// chooseTarget turns the flags into one server to check.
func chooseTarget(lesson scenario.Lesson, solution bool, dir, command, addr string) (scenario.Target, error) {
	set := 0
	for _, s := range []string{dir, command, addr} {
		if s != "" {
			set++
		}
	}
	if solution {
		set++
	}
	if set > 1 {
		return scenario.Target{}, errors.New("choose one of -solution, -dir, -cmd and -addr")
	}
	switch {
	case addr != "":
		return scenario.Target{Addr: addr}, nil
	case command != "":
		if !strings.Contains(command, "{port}") && !strings.Contains(command, "{addr}") {
			return scenario.Target{}, fmt.Errorf("-cmd %q has no {port} or {addr}: the checker starts every scenario on a fresh port and must tell your server which", command)
		}
		return scenario.Target{Command: command}, nil
	case dir != "":
		return scenario.Target{Dir: dir}, nil
	}
	root := "lessons"
	if solution {
		root = "solutions"
	}
	d := filepath.Join(root, lesson.Slug)
	if _, err := os.Stat(d); err != nil {
		return scenario.Target{}, fmt.Errorf("cannot find %s: run the checker from the repository's top directory (make check does)", d)
	}
	return scenario.Target{Dir: d}, nil
}

func rerunCommand(lesson scenario.Lesson, solution bool, dir, command, addr string, scale float64, name string, seed int64) string {
	parts := []string{fmt.Sprintf("make check LESSON=%02d", lesson.Number)}
	switch {
	case solution:
		parts = append(parts, "SOLUTION=1")
	case dir != "":
		parts = append(parts, "DIR="+dir)
	case command != "":
		parts = append(parts, fmt.Sprintf("CMD='%s'", command))
	case addr != "":
		parts = append(parts, "ADDR="+addr)
	}
	parts = append(parts, "RUN="+name, fmt.Sprintf("SEED=%d", seed))
	if scale != 1 {
		parts = append(parts, fmt.Sprintf("TIMESCALE=%g", scale))
	}
	return strings.Join(parts, " ")
}

func writeOutputs(rep *scenario.Report, jsonOut, transcript string) error {
	if jsonOut != "" {
		if err := writeFile(jsonOut, func(w io.Writer) error { return report.JSON(w, rep) }); err != nil {
			return err
		}
	}
	if transcript != "" {
		return writeFile(transcript, func(w io.Writer) error {
			for _, res := range rep.Results {
				fmt.Fprintf(w, "=== %s (seed %d): %s\n", res.Scenario, res.Seed, res.Status)
				if res.FullLog != nil {
					io.WriteString(w, res.FullLog.RenderAll())
				}
				if res.Server != "" {
					fmt.Fprintf(w, "--- the server printed:\n%s\n", res.Server)
				}
			}
			return nil
		})
	}
	return nil
}

func writeFile(name string, write func(io.Writer) error) error {
	if name == "-" {
		return write(os.Stdout)
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// colorful reports whether f is a terminal that wants colour (NO_COLOR unset).
func colorful(f *os.File) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
