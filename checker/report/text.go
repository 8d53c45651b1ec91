// Package report writes a lesson's results for people (text, with colour on a terminal)
// and for machines (JSON).
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
			fmt.Fprintf(t.W, "        %s %s\n", t.paint("36", "hint:"), res.Hint)
		}
		if t.failures > 1 && !t.Verbose {
			if t.Rerun != nil {
				fmt.Fprintf(t.W, "        details: %s\n", t.Rerun(res.Scenario, res.Seed))
			}
			return
		}
		if res.Transcript != "" {
			fmt.Fprintf(t.W, "      transcript (seconds since the scenario began; → sent, ← received):\n%s", res.Transcript)
		}
		if out := strings.TrimSpace(res.Server); out != "" {
			fmt.Fprintf(t.W, "      the server printed:\n%s\n", indent(lastLines(out, 40), "        | "))
		}
		if t.Rerun != nil {
			fmt.Fprintf(t.W, "      rerun just this: %s\n", t.Rerun(res.Scenario, res.Seed))
		}
	}
}

// Summary writes the closing line: how many passed, failed and were skipped.
func (t *Text) Summary(r *scenario.Report) {
	line := fmt.Sprintf("%d passed, %d failed", r.Count(scenario.Pass), r.Count(scenario.Fail))
	if n := r.Count(scenario.Skip); n > 0 {
		line += fmt.Sprintf(", %d skipped", n)
	}
	if r.Passed() {
		fmt.Fprintf(t.W, "lesson %02d: %s\n", r.Lesson.Number, t.paint("32", line))
		return
	}
	fmt.Fprintf(t.W, "lesson %02d: %s\n", r.Lesson.Number, t.paint("31", line))
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

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return fmt.Sprintf("[... %d earlier lines ...]\n", len(lines)-n) + strings.Join(lines[len(lines)-n:], "\n")
}
