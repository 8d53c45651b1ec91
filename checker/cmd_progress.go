package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/lessons"
	"github.com/gochat-course/gochat/checker/scenario"
)

// defaultParallel is how many lessons are checked at once for an overview. Most of a
// failing lesson's time is a simulated client waiting out a deadline, which costs no
// CPU, so even a two-core machine gains from overlapping lessons.
const defaultParallel = 4

// lessonState is the outcome of a quick check of one lesson.
type lessonState string

const (
	lessonPass        lessonState = "pass"
	lessonFail        lessonState = "fail"
	lessonError       lessonState = "error"       // the check could not run: the code does not build
	lessonUnavailable lessonState = "unavailable" // no scenarios or no directory yet
	lessonCancelled   lessonState = "cancelled"   // interrupted, or no longer needed
)

// lessonStatus is one lesson's row in the progress table.
type lessonStatus struct {
	lesson   scenario.Lesson
	state    lessonState
	passed   int    // scenarios that passed before the first failure (all of them on a pass)
	failed   string // the first scenario that failed
	message  string // the first line of why it failed, could not run, or is not available
	seed     int64  // reruns the failure with make check ... SEED=
	duration time.Duration
}

// runProgress is the progress command: every lesson, pass or fail, in one table.
func runProgress(ctx context.Context, args []string, sio stdio) int {
	cfg := checkConfig{root: "."}
	fs := newFlagSet("progress", "checker progress [flags]", sio)
	fs.BoolVar(&cfg.solution, "solution", false, "check the reference solutions instead of lessons/NN-*")
	fs.Float64Var(&cfg.scale, "timescale", 1, "stretch every deadline by this factor on a slow machine")
	fs.IntVar(&cfg.parallel, "parallel", defaultParallel, "how many lessons to check at once")
	jsonOut := fs.String("json", "", "also write the table as JSON to this file (- for standard output)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(sio.err, "checker: unexpected arguments: %s (progress shows every lesson)\n", strings.Join(fs.Args(), " "))
		return exitUsage
	}
	if cfg.scale <= 0 {
		fmt.Fprintln(sio.err, "checker: -timescale must be greater than 0")
		return exitUsage
	}
	return progress(ctx, cfg, lessons.All(), *jsonOut, sio)
}

// progress checks every lesson up to its first failure, several at once, and prints one
// row per lesson in order as soon as it is known. It fails only when it cannot run.
func progress(ctx context.Context, cfg checkConfig, all []scenario.Lesson, jsonOut string, sio stdio) int {
	start := time.Now()
	cfg.parallel = max(cfg.parallel, 1)
	what := "your lessons"
	if cfg.solution {
		what = "the reference solutions"
	}
	fmt.Fprintf(sio.out, "checking %s, %d at a time, each up to its first failing scenario\n", what, cfg.parallel)
	tbl := progressTable{w: sio.out, color: sio.color, titleWidth: titleWidth(all)}
	tbl.header()
	var rows []lessonStatus
	scan(ctx, all, cfg.parallel, false,
		func(ctx context.Context, l scenario.Lesson) lessonStatus { return quickCheck(ctx, cfg, l) },
		func(st lessonStatus) {
			rows = append(rows, st)
			tbl.row(st)
		})
	if ctx.Err() != nil {
		fmt.Fprintln(sio.err, "checker: interrupted; every server was stopped")
		return exitFail
	}
	tbl.footer(rows, time.Since(start), cfg.solution)
	if jsonOut != "" {
		if err := writeFile(jsonOut, sio.out, func(w io.Writer) error { return progressJSON(w, rows) }); err != nil {
			fmt.Fprintln(sio.err, "checker:", err)
			return exitUsage
		}
	}
	return exitPass
}

// quickCheck runs a lesson's scenarios up to the first failure, with no output.
func quickCheck(ctx context.Context, cfg checkConfig, lesson scenario.Lesson) lessonStatus {
	start := time.Now()
	st := lessonStatus{lesson: lesson}
	defer func() { st.duration = time.Since(start) }()
	if len(lesson.Scenarios) == 0 {
		st.state, st.message = lessonUnavailable, "not available yet: its scenarios are still to be written"
		return st
	}
	tgt, err := cfg.target(lesson)
	if errors.Is(err, errNoLessonDir) {
		st.state, st.message = lessonUnavailable, "not available yet: there is no "+cfg.lessonDir(lesson)
		return st
	}
	if err != nil {
		st.state, st.message = lessonError, err.Error()
		return st
	}
	rep, err := scenario.Run(ctx, lesson, scenario.Options{Target: tgt, Scale: cfg.scale, FailFast: true})
	switch {
	case ctx.Err() != nil:
		st.state = lessonCancelled
		return st
	case rep == nil:
		st.state, st.message = lessonError, buildErrorLine(err)
		return st
	}
	st.state, st.seed = lessonPass, rep.Seed
	st.passed = rep.Count(scenario.Pass)
	for _, res := range rep.Results {
		if res.Status == scenario.Fail {
			st.state, st.failed, st.message = lessonFail, res.Scenario, firstLine(res.Message)
			break
		}
	}
	return st
}

// buildErrorLine picks the line of a build failure that says what is wrong, such as
// "lessons/02-lines/server.go:14:2: undefined: scanner".
func buildErrorLine(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.Contains(l, ".go:") {
			return "does not build: " + l
		}
	}
	return "could not run: " + lines[0]
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// scan checks lessons side by side, at most parallel at a time, and calls emit with each
// status in lesson order, as soon as it and every lesson before it are known. With
// stopAtFailure, it stops after the first lesson that fails or cannot run, and cancels
// the checks of the lessons after it. It returns once every check has stopped, so no
// server outlives it.
func scan(ctx context.Context, all []scenario.Lesson, parallel int, stopAtFailure bool,
	check func(context.Context, scenario.Lesson) lessonStatus, emit func(lessonStatus)) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	statuses := make([]lessonStatus, len(all))
	done := make([]chan struct{}, len(all))
	for i := range done {
		done[i] = make(chan struct{})
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var g errgroup.Group
		g.SetLimit(max(parallel, 1))
		for i, lesson := range all {
			// Go blocks while parallel checks run, so lessons start in order.
			g.Go(func() error {
				defer close(done[i])
				if ctx.Err() != nil {
					statuses[i] = lessonStatus{lesson: lesson, state: lessonCancelled}
					return nil
				}
				statuses[i] = check(ctx, lesson)
				return nil
			})
		}
		_ = g.Wait() // the checks return no errors: a failure is a status
	}()

	for i := range all {
		select {
		case <-done[i]:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		emit(statuses[i])
		if stopAtFailure && (statuses[i].state == lessonFail || statuses[i].state == lessonError) {
			break
		}
	}
	cancel()
	<-finished
}

// progressTable prints the progress table, one row at a time.
type progressTable struct {
	w          io.Writer
	color      bool
	titleWidth int
}

func titleWidth(all []scenario.Lesson) int {
	n := len("lesson")
	for _, l := range all {
		n = max(n, len(l.Title))
	}
	return n
}

func (t progressTable) header() {
	fmt.Fprintf(t.w, "  %-*s  %-6s  %s\n", t.titleWidth+3, "lesson", "result", "scenarios")
}

func (t progressTable) row(st lessonStatus) {
	l := st.lesson
	var mark, detail string
	switch st.state {
	case lessonPass:
		mark = t.paint("32", "PASS  ")
		detail = fmt.Sprintf("all %d pass", len(l.Scenarios))
	case lessonFail:
		mark = t.paint("31", "FAIL  ")
		detail = fmt.Sprintf("%d of %d pass; %s fails: %s", st.passed, len(l.Scenarios), st.failed, cut(st.message, 72))
	case lessonError:
		mark = t.paint("31", "ERROR ")
		detail = cut(st.message, 100)
	default:
		mark = t.paint("2", "-     ")
		detail = st.message
	}
	fmt.Fprintf(t.w, "  %02d %-*s  %s  %s\n", l.Number, t.titleWidth, l.Title, mark, detail)
}

func (t progressTable) footer(rows []lessonStatus, took time.Duration, solution bool) {
	passed, available := 0, 0
	var next *lessonStatus
	for i, st := range rows {
		if st.state != lessonUnavailable {
			available++
		}
		if st.state == lessonPass {
			passed++
		} else if next == nil && st.state != lessonUnavailable {
			next = &rows[i]
		}
	}
	fmt.Fprintf(t.w, "%d of %d available lessons pass (checked in %s)\n", passed, available, took.Round(100*time.Millisecond))
	switch {
	case next != nil && solution:
		fmt.Fprintf(t.w, "details: make check LESSON=%02d SOLUTION=1\n", next.lesson.Number)
	case next != nil:
		fmt.Fprintf(t.w, "next: make check LESSON=%02d shows everything lesson %02d still needs (a plain make check does too)\n",
			next.lesson.Number, next.lesson.Number)
	case available > 0:
		fmt.Fprintln(t.w, "every available lesson passes. Well done!")
	}
}

func (t progressTable) paint(code, s string) string {
	if !t.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// cut shortens s to about n bytes, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// progressJSON writes the table for scripts: one object per lesson.
func progressJSON(w io.Writer, rows []lessonStatus) error {
	type jsonLesson struct {
		Lesson       string  `json:"lesson"`
		Number       int     `json:"number"`
		Title        string  `json:"title"`
		Status       string  `json:"status"` // pass, fail, error or unavailable
		Passed       int     `json:"passed"` // before the first failure
		Scenarios    int     `json:"scenarios"`
		FirstFailure string  `json:"first_failure,omitempty"`
		Message      string  `json:"message,omitempty"`
		Seed         int64   `json:"seed,omitempty"`
		DurationMS   float64 `json:"duration_ms"`
	}
	out := struct {
		Passed  int          `json:"passed"`
		Lessons []jsonLesson `json:"lessons"`
	}{Lessons: []jsonLesson{}}
	for _, st := range rows {
		if st.state == lessonPass {
			out.Passed++
		}
		out.Lessons = append(out.Lessons, jsonLesson{
			Lesson: st.lesson.Slug, Number: st.lesson.Number, Title: st.lesson.Title, Status: string(st.state),
			Passed: st.passed, Scenarios: len(st.lesson.Scenarios), FirstFailure: st.failed, Message: st.message,
			Seed: st.seed, DurationMS: float64(st.duration.Microseconds()) / 1000,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// checkNext looks for the first lesson that does not pass yet, checking lessons side by
// side up to their first failure, then checks that lesson in full with live output.
func checkNext(ctx context.Context, cfg checkConfig, all []scenario.Lesson, sio stdio) int {
	fmt.Fprintln(sio.out, "no lesson given: looking for the first lesson that does not pass yet")
	var first *lessonStatus
	scan(ctx, all, max(cfg.parallel, 1), true,
		func(ctx context.Context, l scenario.Lesson) lessonStatus { return quickCheck(ctx, cfg, l) },
		func(st lessonStatus) {
			switch st.state {
			case lessonPass:
				fmt.Fprintf(sio.out, "  lesson %02d · %s: passes\n", st.lesson.Number, st.lesson.Title)
			case lessonUnavailable:
				fmt.Fprintf(sio.out, "  lesson %02d · %s: %s\n", st.lesson.Number, st.lesson.Title, st.message)
			default:
				first = &st
			}
		})
	if ctx.Err() != nil {
		return exitFail
	}
	if first == nil {
		fmt.Fprintln(sio.out, "every available lesson passes. Well done!")
		return exitPass
	}
	fmt.Fprintf(sio.out, "lesson %02d · %s does not pass yet; here is its full check (next time: make check LESSON=%02d)\n\n",
		first.lesson.Number, first.lesson.Title, first.lesson.Number)
	cfg.lesson = first.lesson.Slug
	return checkLesson(ctx, cfg, first.lesson, sio)
}
