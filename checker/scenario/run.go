package scenario

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/target"
)

// Target says which server to check: exactly one of its fields is set.
type Target struct {
	Dir     string // a Go main package to build and start, such as "lessons/04-chat"
	Command string // a start command with {addr}, {host} and {port} placeholders
	Addr    string // a server that already listens here (attach mode)

	Overlay string // with Dir: a go build -overlay file (the tests' broken variants)
}

// Describe names the target for the first line of a report.
func (t Target) Describe() string {
	switch {
	case t.Addr != "":
		return "the server at " + t.Addr
	case t.Command != "":
		return "the command " + strings.TrimSpace(t.Command)
	}
	return t.Dir
}

// Options say how to run a lesson's scenarios.
type Options struct {
	Target  Target
	Run     string  // a regular expression: run only the scenarios whose names it matches
	Count   int     // run each scenario this many times (seed, seed+1, ...); 0 means 1
	Seed    int64   // seed of every random choice; 0 picks one from the clock
	Scale   float64 // stretch every deadline by this factor; 0 means 1
	WorkDir string  // where built binaries go; empty means a temporary directory

	// FailFast stops at the first failing scenario, for a quick overview of a lesson.
	FailFast bool

	// OnResult, if set, is called as each scenario finishes, for live output.
	OnResult func(Result)
	// OnReady, if set, is called once the server is built, before the first scenario.
	OnReady func(*Report)
}

// Status is the outcome of one scenario.
type Status string

// The outcomes of a scenario.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Result is the outcome of one run of one scenario.
type Result struct {
	Scenario   string
	Doc        string
	Status     Status
	Message    string        // why it failed, or why it was skipped
	Hint       string        // the likely cause, when known
	Duration   time.Duration //
	Seed       int64         // reruns exactly this run with -run and -seed
	Transcript string        // the clients' transcript, cut for a terminal
	FullLog    *client.Log   // the whole transcript, for -transcript
	Server     string        // what the server printed during the scenario

	// ServerFault is set when the server crashed or reported a data race: its output,
	// not the protocol, is then what the learner must read first.
	ServerFault bool
	// NotStarted is set when no server could be started or reached for this scenario;
	// the later scenarios are not run, since they would fail the same way.
	NotStarted bool
}

// Report is the outcome of checking one lesson.
type Report struct {
	Lesson  Lesson
	Target  Target
	Race    bool // the server was built with the race detector
	Seed    int64
	Scale   float64
	Results []Result
}

// Passed reports whether every scenario that ran passed.
func (r *Report) Passed() bool {
	for _, res := range r.Results {
		if res.Status == Fail {
			return false
		}
	}
	return len(r.Results) > 0
}

// Count returns how many results have status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// Run checks one lesson. It returns an error only when the check could not start at all
// (the build failed, the -run pattern is invalid); a failing scenario is a Result.
func Run(ctx context.Context, lesson Lesson, opts Options) (*Report, error) {
	if opts.Scale <= 0 {
		opts.Scale = 1
	}
	if opts.Count <= 0 {
		opts.Count = 1
	}
	if opts.Seed == 0 {
		opts.Seed = time.Now().UnixNano() % 1_000_000
	}
	selected, err := selectScenarios(lesson, opts.Run)
	if err != nil {
		return nil, err
	}
	report := &Report{Lesson: lesson, Target: opts.Target, Seed: opts.Seed, Scale: opts.Scale}

	var bin string
	if opts.Target.Dir != "" {
		dir := opts.WorkDir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "gochat-check-")
			if err != nil {
				return nil, err
			}
			defer os.RemoveAll(tmp)
			dir = tmp
		}
		bin, report.Race, err = target.Build(ctx, opts.Target.Dir, dir, opts.Target.Overlay)
		if err != nil {
			return nil, err
		}
	}

	if opts.OnReady != nil {
		opts.OnReady(report)
	}
	for _, sc := range selected {
		for i := 0; i < opts.Count; i++ {
			if ctx.Err() != nil {
				return report, ctx.Err()
			}
			res := runOne(ctx, lesson, sc, bin, opts, opts.Seed+int64(i))
			if ctx.Err() != nil {
				// Interrupted: this scenario's result says nothing about the server.
				return report, ctx.Err()
			}
			report.Results = append(report.Results, res)
			if opts.OnResult != nil {
				opts.OnResult(res)
			}
			if opts.FailFast && res.Status == Fail || res.NotStarted {
				return report, nil
			}
		}
	}
	return report, nil
}

func selectScenarios(lesson Lesson, pattern string) ([]Scenario, error) {
	if pattern == "" {
		return lesson.Scenarios, nil
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return nil, fmt.Errorf("-run %q is not a valid pattern: %w", pattern, err)
	}
	var out []Scenario
	var names []string
	for _, sc := range lesson.Scenarios {
		names = append(names, sc.Name)
		if re.MatchString(sc.Name) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		var near []string
		for _, name := range names {
			if strings.Contains(name, pattern) {
				near = append(near, name)
			}
		}
		if len(near) > 0 {
			return nil, fmt.Errorf("no scenario of lesson %02d is called %q (-run matches whole names); did you mean %s? Or use %q",
				lesson.Number, pattern, strings.Join(near, " or "), pattern+".*")
		}
		return nil, fmt.Errorf("no scenario of lesson %02d is called %q; its scenarios are: %s",
			lesson.Number, pattern, strings.Join(names, ", "))
	}
	return out, nil
}

// runOne runs one scenario against a fresh server (or the attached one) and judges it.
func runOne(ctx context.Context, lesson Lesson, sc Scenario, bin string, opts Options, seed int64) (res Result) {
	res = Result{Scenario: sc.Name, Doc: sc.Doc, Seed: seed}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()

	if opts.Target.Addr != "" && sc.NeedsProcess {
		res.Status = Skip
		res.Message = "needs to control the server process (signals, exit status), which attach mode cannot do"
		return res
	}
	if opts.Target.Addr != "" && len(sc.Flags) > 0 {
		res.Status = Skip
		res.Message = "needs a server started with its own flags (" + strings.Join(sc.Flags, " ") + "), which attach mode cannot do"
		return res
	}

	log := client.NewLog()
	env := &Env{Rand: rand.New(rand.NewSource(seed ^ nameHash(sc.Name))), Scale: opts.Scale, Log: log}
	res.FullLog = log

	proc, err := startServer(ctx, lesson, sc, bin, opts)
	if err != nil {
		res.Status, res.Message, res.NotStarted = Fail, err.Error(), true
		res.Message += "\n(the remaining scenarios were not run: they would fail the same way)"
		return res
	}
	env.Server = proc
	env.Addr = opts.Target.Addr
	if proc != nil {
		env.Addr = proc.Addr
	}

	timeout := sc.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	sctx, cancel := context.WithTimeout(ctx, env.Scaled(timeout))
	env.Ctx = sctx
	stop := context.AfterFunc(sctx, env.closeAll)
	err = protect(sc.Run, env)
	stop()
	timedOut := sctx.Err() == context.DeadlineExceeded
	cancel()
	env.closeAll()

	var crashed bool
	if proc != nil {
		select {
		case <-proc.Done():
			crashed = !sc.NeedsProcess
		default:
		}
		proc.Stop(env.Scaled(2 * time.Second))
		res.Server = proc.Output()
	}

	switch {
	case proc != nil && proc.Raced():
		res.Status = Fail
		res.Message = "the server reported a DATA RACE (see its output below): two goroutines touched the same memory without synchronisation"
		res.Hint = "guard shared state with a mutex, or give it one owning goroutine that others talk to over channels; the race report names both goroutines and lines"
		if err != nil {
			res.Message += "\nand also: " + err.Error()
		}
	case proc != nil && proc.Panicked():
		res.Status = Fail
		res.Message = "the server panicked (see its output below)"
		res.Hint = "fix the panic first: the first lines of the goroutine trace under \"panic:\" name the file and line where it happened"
		if err != nil {
			res.Message += "\nand then: " + err.Error()
		}
	case err != nil:
		res.Status = Fail
		res.Message = err.Error()
		res.Hint = client.HintOf(err)
		if timedOut {
			res.Message += fmt.Sprintf("\n(the scenario's time limit of %s ran out)", env.Scaled(timeout))
		}
		if crashed {
			res.Message += "\n(the server exited during the scenario: see its output below)"
		}
	case crashed:
		res.Status = Fail
		res.Message = fmt.Sprintf("the server exited during the scenario (exit status %d) instead of serving on", proc.ExitCode())
	default:
		res.Status = Pass
	}
	res.ServerFault = res.Status == Fail && proc != nil && (proc.Raced() || proc.Panicked() || crashed)
	if res.Status == Fail {
		if res.Hint == "" {
			res.Hint = sc.Hint
		}
		res.Transcript = log.Render([]string{client.ClientOf(err)}, 12, 4)
	}
	return res
}

// startServer starts a fresh server for one scenario, or returns nil in attach mode.
func startServer(ctx context.Context, lesson Lesson, sc Scenario, bin string, opts Options) (*target.Process, error) {
	if opts.Target.Addr != "" {
		return nil, nil
	}
	addr, err := target.FreeAddr()
	if err != nil {
		return nil, err
	}
	flags := scaleDurations(append(append([]string{}, lesson.Flags...), sc.Flags...), opts.Scale)
	var argv []string
	if bin != "" {
		argv = append([]string{bin, "-addr", addr}, flags...)
	} else {
		command := opts.Target.Command
		if len(flags) > 0 {
			command += " " + strings.Join(flags, " ")
		}
		argv = target.ShellCommand(target.Expand(command, addr))
	}
	return target.Start(ctx, argv, addr, time.Duration(float64(10*time.Second)*opts.Scale))
}

// scaleDurations stretches every flag value that is a duration ("-idle-timeout 1s" or
// "-idle-timeout=1s") by the time scale, so that a slow machine gets longer timeouts on
// the server as well as in the checker.
func scaleDurations(flags []string, scale float64) []string {
	out := make([]string, len(flags))
	for i, f := range flags {
		name, value, hasValue := strings.Cut(f, "=")
		switch {
		case hasValue && isDuration(value):
			out[i] = name + "=" + stretch(value, scale)
		case !hasValue && i > 0 && strings.HasPrefix(flags[i-1], "-") && isDuration(f):
			out[i] = stretch(f, scale)
		default:
			out[i] = f
		}
	}
	return out
}

// isDuration reports whether s is a duration with a unit ("500ms", "1s"). A bare number
// such as "0" parses as a duration too, but it is a count or a rate, not a time.
func isDuration(s string) bool {
	_, err := time.ParseDuration(s)
	return err == nil && strings.ContainsAny(s, "nuµmsh")
}

func stretch(s string, scale float64) string {
	d, _ := time.ParseDuration(s)
	return time.Duration(float64(d) * scale).String()
}

// protect runs a scenario, turning a panic in the checker's own code into a failure that
// says so, rather than a crash that hides every other result.
func protect(run func(*Env) error, env *Env) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the checker itself failed (please report this): %v\n%s", r, debug.Stack())
		}
	}()
	return run(env)
}

func nameHash(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}
