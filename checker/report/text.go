// Package report writes a lesson's results for people (text, with colour on a terminal)
// and for machines (JSON for autograders, JUnit XML for CI).
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/gochat-course/gochat/checker/scenario"
)

// Text writes results for a person as they arrive.
type Text struct {
	W     io.Writer
	Color bool
	// Rerun builds the command that reruns one scenario with one seed.
	Rerun func(scenarioName string, seed int64) string
	// Verbose shows every failure in full; otherwise failures after the first are
	// shown briefly, so the first thing to fix stands out.
	Verbose bool
	// Help, if set, is printed after the summary of a failing check: where to get help.
	Help string

	failures int
}

// Header announces what is about to be checked.
func (t *Text) Header(r *scenario.Report) {
	race := "built with -race"
	if r.Target.Dir == "" {
		race = "not built by the checker"
	} else if !r.Race {
		race = "built WITHOUT -race: this toolchain cannot, so data races go unreported"
	}
	fmt.Fprintf(t.W, "lesson %02d · %s · %s (%s) · seed %d", r.Lesson.Number, r.Lesson.Title, r.Target.Describe(), race, r.Seed)
	if r.Scale != 1 {
		fmt.Fprintf(t.W, " · timescale %g", r.Scale)
	}
	fmt.Fprintln(t.W)
}

// Result writes one scenario's line, and for a failure everything needed to understand it.
func (t *Text) Result(res scenario.Result) {
	mark := map[scenario.Status]string{scenario.Pass: t.paint("32", "PASS"), scenario.Fail: t.paint("31", "FAIL"), scenario.Skip: t.paint("33", "SKIP")}[res.Status]
	fmt.Fprintf(t.W, "  %s  %-20s %s (%s)\n", mark, res.Scenario, res.Doc, res.Duration.Round(1e6))
	switch res.Status {
	case scenario.Skip:
		fmt.Fprintf(t.W, "        skipped: %s\n", res.Message)
	case scenario.Fail:
		t.failures++
		fmt.Fprintf(t.W, "%s\n", indent(res.Message, "        "))
		if res.Hint != "" {
			// The hint is wrapped so that it reads as a paragraph under the failure,
			// its continuation lines aligned after "hint: ".
			fmt.Fprintf(t.W, "        %s %s\n", t.paint("36", "hint:"), wrap(res.Hint, hintWidth, "              "))
		}
		if t.failures > 1 && !t.Verbose && !res.ServerFault {
			if t.Rerun != nil {
				fmt.Fprintf(t.W, "        details: %s\n", t.Rerun(res.Scenario, res.Seed))
			}
			return
		}
		if res.Transcript != "" {
			fmt.Fprintf(t.W, "      transcript (seconds since the scenario began; → sent, ← received, · noted):\n%s\n",
				indent(res.Transcript, "    "))
		}
		if out := strings.TrimSpace(res.Server); out != "" {
			fmt.Fprintf(t.W, "      the server printed:\n%s\n", indent(relevantOutput(out, 40), "        | "))
		}
		if t.Rerun != nil {
			fmt.Fprintf(t.W, "      rerun just this: %s\n", t.Rerun(res.Scenario, res.Seed))
		}
	}
}

// Summary writes the closing line: how many passed, failed and were skipped.
func (t *Text) Summary(r *scenario.Report) {
	line := fmt.Sprintf("%d passed, %d failed", r.Count(scenario.Pass), r.Count(scenario.Fail))
	skipped := r.Count(scenario.Skip)
	if skipped > 0 {
		line += fmt.Sprintf(", %d skipped", skipped)
	}
	if r.Passed() {
		fmt.Fprintf(t.W, "lesson %02d: %s\n", r.Lesson.Number, t.paint("32", line))
	} else {
		fmt.Fprintf(t.W, "lesson %02d: %s\n", r.Lesson.Number, t.paint("31", line))
	}
	if skipped > 0 && r.Target.Addr != "" {
		fmt.Fprintf(t.W, "  (the %d skipped need to start or signal the server themselves, which attach mode cannot do:\n"+
			"   check without ADDR to include them)\n", skipped)
	}
	if !r.Passed() && t.Help != "" {
		fmt.Fprintln(t.W, t.Help)
	}
}

// hintWidth is where hints are wrapped: short enough for a narrow terminal, after the
// indent, and long enough that most hints take one or two lines.
const hintWidth = 88

// wrap breaks s into lines of at most width bytes at spaces, and starts every line after
// the first with prefix. A word longer than width stays whole.
func wrap(s string, width int, prefix string) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		switch {
		case i == 0:
		case n+1+len(word) > width:
			b.WriteString("\n" + prefix)
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

func (t *Text) paint(code, s string) string {
	if !t.Color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// relevantOutput picks what a learner should see of the server's output: from the first
// data race report or panic when there is one (their headers name the goroutines and
// lines), otherwise the last n lines.
func relevantOutput(s string, n int) string {
	for _, marker := range []string{"WARNING: DATA RACE", "panic: ", "fatal error: "} {
		if i := strings.Index(s, marker); i >= 0 {
			start := strings.LastIndex(s[:i], "\n") + 1
			lines := strings.Split(s[start:], "\n")
			if len(lines) > 2*n {
				lines = append(lines[:2*n], fmt.Sprintf("[... %d more lines ...]", len(lines)-2*n))
			}
			prefix := ""
			if start > 0 {
				prefix = fmt.Sprintf("[... %d earlier lines ...]\n", strings.Count(s[:start], "\n"))
			}
			return prefix + strings.Join(lines, "\n")
		}
	}
	return lastLines(s, n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return fmt.Sprintf("[... %d earlier lines ...]\n", len(lines)-n) + strings.Join(lines[len(lines)-n:], "\n")
}
