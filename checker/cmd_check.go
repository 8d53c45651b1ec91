package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gochat-course/gochat/checker/lessons"
	"github.com/gochat-course/gochat/checker/report"
	"github.com/gochat-course/gochat/checker/scenario"
)

// Exit statuses of the check command (and of watch, progress, hint and diff when they
// cannot run).
const (
	exitPass  = 0 // every scenario passed
	exitFail  = 1 // at least one scenario failed
	exitUsage = 2 // the check could not run: bad flags, a build error
)

// checkConfig is what the flags of check (and of watch, which takes the same flags)
// say about which server to check and how.
type checkConfig struct {
	lesson     string
	solution   bool
	dir        string
	command    string
	addr       string
	run        string
	count      int
	seed       int64
	scale      float64
	jsonOut    string
	junitOut   string
	transcript string
	verbose    bool

	// root is the repository's top directory, where lessons/ and solutions/ are: the
	// working directory, except in tests.
	root string
	// parallel bounds how many lessons are checked at once when looking for the first
	// that does not pass yet.
	parallel int
}

// register defines cfg's flags on fs.
func (cfg *checkConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&cfg.lesson, "lesson", "", "the lesson to check: 01 to 10, or its directory name (none: the first that does not pass yet)")
	fs.BoolVar(&cfg.solution, "solution", false, "check the reference solution instead of lessons/NN-*")
	fs.StringVar(&cfg.dir, "dir", "", "check the Go main package in this directory instead")
	fs.StringVar(&cfg.command, "cmd", "", "start the server with this shell command; {port}, {host} and {addr} are filled in")
	fs.StringVar(&cfg.addr, "addr", "", "attach to a server already listening at host:port instead of starting one")
	fs.StringVar(&cfg.run, "run", "", "run only the scenarios whose names match this regular expression")
	fs.IntVar(&cfg.count, "count", 1, "run each scenario this many times (seeds N, N+1, ...)")
	fs.Int64Var(&cfg.seed, "seed", 0, "seed for every random choice (0: pick one and print it)")
	fs.Float64Var(&cfg.scale, "timescale", 1, "stretch every deadline by this factor on a slow machine")
	fs.StringVar(&cfg.jsonOut, "json", "", "also write the results as JSON to this file (- for standard output)")
	fs.StringVar(&cfg.junitOut, "junit", "", "also write the results as JUnit XML to this file (- for standard output)")
	fs.StringVar(&cfg.transcript, "transcript", "", "write the full transcript of every scenario to this file")
	fs.BoolVar(&cfg.verbose, "v", false, "show every failure in full, not only the first (the default when the output is not a terminal)")
}

// validate rejects flags that cannot work together.
func (cfg *checkConfig) validate() error {
	set := 0
	for _, s := range []string{cfg.dir, cfg.command, cfg.addr} {
		if s != "" {
			set++
		}
	}
	if cfg.solution {
		set++
	}
	switch {
	case set > 1:
		return errors.New("choose one of -solution, -dir, -cmd and -addr")
	case cfg.scale <= 0:
		return errors.New("-timescale must be greater than 0")
	case cfg.count < 1:
		return errors.New("-count must be at least 1")
	case cfg.command != "" && !strings.Contains(cfg.command, "{port}") && !strings.Contains(cfg.command, "{addr}"):
		return fmt.Errorf("-cmd %q has no {port} or {addr}: the checker starts every scenario on a fresh port and must tell your server which", cfg.command)
	}
	return nil
}

// newFlagSet returns a flag set that reports to sio.err and returns errors.
func newFlagSet(name, usage string, sio stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(sio.err)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: "+usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseWithLesson parses args, accepting the lesson as a first argument that is not a
// flag ("checker check 04 -v"). It returns an exit status and false when the command
// should stop: -h was asked for, or the flags are wrong.
func parseWithLesson(fs *flag.FlagSet, args []string, lesson *string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 && *lesson == "" {
		*lesson = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return exitUsage, false
		}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "checker: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return exitUsage, false
	}
	return 0, true
}

// runCheck is the check command: one lesson in full, or, with no lesson, the first
// lesson that does not pass yet.
func runCheck(ctx context.Context, args []string, sio stdio) int {
	cfg := checkConfig{root: "."}
	fs := newFlagSet("check", "checker check [-lesson NN] [flags]", sio)
	cfg.register(fs)
	fs.IntVar(&cfg.parallel, "parallel", defaultParallel, "with no -lesson: how many lessons to check at once while looking for the first that does not pass")
	if code, ok := parseWithLesson(fs, args, &cfg.lesson); !ok {
		return code
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintln(sio.err, "checker:", err)
		return exitUsage
	}
	var code int
	if cfg.lesson == "" {
		if cfg.dir != "" || cfg.command != "" || cfg.addr != "" || cfg.run != "" {
			fmt.Fprintln(sio.err, "checker: which lesson? -dir, -cmd, -addr and -run need one: for example -lesson 01 (make check LESSON=01)")
			return exitUsage
		}
		code = checkNext(ctx, cfg, lessons.All(), sio)
	} else {
		lesson, err := lessons.Find(cfg.lesson)
		if err != nil {
			fmt.Fprintln(sio.err, "checker:", err)
			return exitUsage
		}
		code = checkLesson(ctx, cfg, lesson, sio)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(sio.err, "checker: interrupted; the server was stopped")
		return exitFail
	}
	return code
}

// lessonTarget is the server to check for lesson, or false, after saying why on
// standard error, when the lesson cannot be checked.
func lessonTarget(cfg checkConfig, lesson scenario.Lesson, sio stdio) (scenario.Target, bool) {
	if len(lesson.Scenarios) == 0 {
		fmt.Fprintf(sio.err, "checker: lesson %02d (%s) is not available yet: its scenarios are still to be written\n", lesson.Number, lesson.Title)
		return scenario.Target{}, false
	}
	tgt, err := cfg.target(lesson)
	if err != nil {
		fmt.Fprintln(sio.err, "checker:", err)
		return scenario.Target{}, false
	}
	return tgt, true
}

// checkLesson checks one lesson with live output and returns the exit status. When ctx
// is cancelled it stops the running scenario and its server, and returns exitFail
// without saying so: its callers know why they cancelled.
func checkLesson(ctx context.Context, cfg checkConfig, lesson scenario.Lesson, sio stdio) int {
	tgt, ok := lessonTarget(cfg, lesson, sio)
	if !ok {
		return exitUsage
	}
	if tgt.Addr != "" && !prepareAttach(ctx, cfg, lesson, sio) {
		return exitUsage
	}

	text := &report.Text{W: sio.out, Color: sio.color, Verbose: cfg.verbose || !sio.tty}
	text.Rerun = func(name string, seed int64) string { return cfg.rerunCommand(lesson, name, seed) }
	if !cfg.solution {
		text.Help = fmt.Sprintf("stuck? make hint LESSON=%02d shows a hint, one at a time; make watch LESSON=%02d re-checks on every save",
			lesson.Number, lesson.Number)
	}
	opts := scenario.Options{
		Target: tgt, Run: cfg.run, Count: cfg.count, Seed: cfg.seed, Scale: cfg.scale,
		OnReady: text.Header,
		OnResult: func(res scenario.Result) {
			// A scenario cut short by the cancel failed only because it was stopped:
			// reporting it would send the learner after a problem that is not there.
			if ctx.Err() == nil {
				text.Result(res)
			}
		},
	}
	if tgt.Dir != "" {
		fmt.Fprintf(sio.out, "building %s ...\n", tgt.Dir)
	}
	rep, err := scenario.Run(ctx, lesson, opts)
	if err != nil && rep == nil {
		if ctx.Err() != nil {
			return exitFail
		}
		fmt.Fprintln(sio.err, "checker:", err)
		// An autograder still gets its file, with a score of 0 and the reason.
		if err := cfg.writeErrorOutputs(lesson, tgt, err, sio.out); err != nil {
			fmt.Fprintln(sio.err, "checker:", err)
		}
		return exitUsage
	}
	if ctx.Err() != nil {
		fmt.Fprintln(sio.out, "  (stopped)")
		return exitFail
	}
	text.Summary(rep)
	if err := cfg.writeOutputs(rep, sio.out); err != nil {
		fmt.Fprintln(sio.err, "checker:", err)
		return exitUsage
	}
	if !rep.Passed() {
		return exitFail
	}
	return exitPass
}

// errNoLessonDir says that a lesson's directory does not exist (yet).
var errNoLessonDir = errors.New("no such lesson directory")

// target turns the flags into one server to check.
func (cfg *checkConfig) target(lesson scenario.Lesson) (scenario.Target, error) {
	switch {
	case cfg.addr != "":
		return scenario.Target{Addr: cfg.addr}, nil
	case cfg.command != "":
		return scenario.Target{Command: cfg.command}, nil
	case cfg.dir != "":
		return scenario.Target{Dir: cfg.dir}, nil
	}
	d := cfg.lessonDir(lesson)
	if _, err := os.Stat(d); err != nil {
		return scenario.Target{}, fmt.Errorf("cannot find %s (run the checker from the repository's top directory, as make does): %w", d, errNoLessonDir)
	}
	return scenario.Target{Dir: d}, nil
}

// lessonDir is the learner's copy of the lesson, or the reference solution.
func (cfg *checkConfig) lessonDir(lesson scenario.Lesson) string {
	top := "lessons"
	if cfg.solution {
		top = "solutions"
	}
	return filepath.Join(cfg.root, top, lesson.Slug)
}

// prepareAttach explains attach mode and makes sure something listens at the address,
// so that a server that was never started gives one clear message instead of a failure
// per scenario.
func prepareAttach(ctx context.Context, cfg checkConfig, lesson scenario.Lesson, sio stdio) bool {
	fmt.Fprintf(sio.out, "attach mode: checking the server that listens at %s; the checker does not start or stop it\n", cfg.addr)
	if len(lesson.Flags) > 0 {
		fmt.Fprintf(sio.out, "  start it with these flags, so that its timings match the checker's: %s\n", strings.Join(lesson.Flags, " "))
		if cfg.scale != 1 {
			fmt.Fprintf(sio.out, "  (with -timescale %g, multiply every duration in them by %g)\n", cfg.scale, cfg.scale)
		}
	}
	var own, process []string
	for _, sc := range lesson.Scenarios {
		switch {
		case sc.NeedsProcess:
			process = append(process, sc.Name)
		case len(sc.Flags) > 0:
			own = append(own, sc.Name)
		}
	}
	if len(process) > 0 {
		fmt.Fprintf(sio.out, "  skipped in attach mode, because they signal or restart the server: %s\n", strings.Join(process, ", "))
	}
	if len(own) > 0 {
		fmt.Fprintf(sio.out, "  skipped in attach mode, because they need the server started with flags of their own: %s\n", strings.Join(own, ", "))
	}

	d := net.Dialer{Timeout: time.Duration(float64(2*time.Second) * cfg.scale)}
	conn, err := d.DialContext(ctx, "tcp", cfg.addr)
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		fmt.Fprintf(sio.err, "checker: nothing accepts connections at %s (%v).\n", cfg.addr, err)
		fmt.Fprintf(sio.err, "  Start the server first, for example:  go run ./lessons/%s -addr %s %s\n",
			lesson.Slug, cfg.addr, strings.Join(lesson.Flags, " "))
		fmt.Fprintln(sio.err, "  A server on another machine must listen on an address others can reach, such as -addr 0.0.0.0:PORT:")
		fmt.Fprintln(sio.err, "  the lessons' default 127.0.0.1 accepts connections from its own machine only.")
		return false
	}
	_ = conn.Close()
	return true
}

// rerunCommand is the make command that reruns exactly one scenario with one seed,
// against the same server.
func (cfg *checkConfig) rerunCommand(lesson scenario.Lesson, name string, seed int64) string {
	parts := []string{fmt.Sprintf("make check LESSON=%02d", lesson.Number)}
	switch {
	case cfg.solution:
		parts = append(parts, "SOLUTION=1")
	case cfg.dir != "":
		parts = append(parts, "DIR="+shellQuote(cfg.dir))
	case cfg.command != "":
		parts = append(parts, "CMD="+shellQuote(cfg.command))
	case cfg.addr != "":
		parts = append(parts, "ADDR="+cfg.addr)
	}
	parts = append(parts, "RUN="+name, fmt.Sprintf("SEED=%d", seed))
	if cfg.scale != 1 {
		parts = append(parts, fmt.Sprintf("TIMESCALE=%g", cfg.scale))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeOutputs writes the machine-readable results and the transcript that the flags ask
// for. A name of "-" means stdout.
func (cfg *checkConfig) writeOutputs(rep *scenario.Report, stdout io.Writer) error {
	if cfg.jsonOut != "" {
		if err := writeFile(cfg.jsonOut, stdout, func(w io.Writer) error { return report.JSON(w, rep) }); err != nil {
			return err
		}
	}
	if cfg.junitOut != "" {
		if err := writeFile(cfg.junitOut, stdout, func(w io.Writer) error { return report.JUnit(w, rep) }); err != nil {
			return err
		}
	}
	if cfg.transcript != "" {
		return writeFile(cfg.transcript, stdout, func(w io.Writer) error { return writeTranscript(w, rep) })
	}
	return nil
}

// writeErrorOutputs writes the machine-readable results of a check that could not run.
func (cfg *checkConfig) writeErrorOutputs(lesson scenario.Lesson, tgt scenario.Target, cause error, stdout io.Writer) error {
	if cfg.jsonOut != "" {
		if err := writeFile(cfg.jsonOut, stdout, func(w io.Writer) error { return report.JSONError(w, lesson, tgt, cause) }); err != nil {
			return err
		}
	}
	if cfg.junitOut != "" {
		return writeFile(cfg.junitOut, stdout, func(w io.Writer) error { return report.JUnitError(w, lesson, tgt, cause) })
	}
	return nil
}

// writeTranscript writes every scenario's whole transcript and server output.
func writeTranscript(w io.Writer, rep *scenario.Report) error {
	var b strings.Builder
	for _, res := range rep.Results {
		fmt.Fprintf(&b, "=== %s (seed %d): %s\n", res.Scenario, res.Seed, res.Status)
		if res.Message != "" {
			b.WriteString(res.Message + "\n")
		}
		if res.FullLog != nil {
			b.WriteString(res.FullLog.RenderAll())
		}
		if res.Server != "" {
			b.WriteString("--- the server printed:\n" + strings.TrimRight(res.Server, "\n") + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFile(name string, stdout io.Writer, write func(io.Writer) error) error {
	if name == "-" {
		return write(stdout)
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return f.Close()
}
