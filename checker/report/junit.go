package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gochat-course/gochat/checker/scenario"
)

// The JUnit XML schema as CI systems read it (Jenkins, GitLab, GitHub test reporters):
// one testsuite per lesson, one testcase per scenario run.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitMessage `xml:"failure"`
		Error     *junitMessage `xml:"error"`
		Skipped   *junitMessage `xml:"skipped"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitMessage struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Text    string `xml:",chardata"`
	}
)

// JUnit writes reports as JUnit XML: a testsuite per lesson and a testcase per scenario
// run, so CI systems and autograders that read JUnit count partial credit per scenario.
// A failure's text holds the message, the hint, the seed and the transcript; the
// server's output goes in system-out.
func JUnit(w io.Writer, reports ...*scenario.Report) error {
	all := junitSuites{Name: "gochat checker"}
	var total time.Duration
	for _, r := range reports {
		suite := junitSuite{
			Name: r.Lesson.Slug,
			Properties: []junitProperty{
				{"title", r.Lesson.Title},
				{"target", r.Target.Describe()},
				{"seed", fmt.Sprint(r.Seed)},
				{"timescale", fmt.Sprint(r.Scale)},
				{"race", fmt.Sprint(r.Race)},
			},
		}
		repeated := map[string]int{}
		for _, res := range r.Results {
			repeated[res.Scenario]++
		}
		var elapsed time.Duration
		for _, res := range r.Results {
			tc := junitCase{Name: res.Scenario, Classname: r.Lesson.Slug, Time: seconds(res.Duration)}
			if repeated[res.Scenario] > 1 {
				// -count runs a scenario several times; the seed tells the runs apart.
				tc.Name = fmt.Sprintf("%s (seed %d)", res.Scenario, res.Seed)
			}
			switch res.Status {
			case scenario.Fail:
				suite.Failures++
				tc.Failure = &junitMessage{Message: firstLine(res.Message), Type: "fail", Text: failureText(res)}
				tc.SystemOut = res.Server
			case scenario.Skip:
				suite.Skipped++
				tc.Skipped = &junitMessage{Message: res.Message}
			}
			suite.Cases = append(suite.Cases, tc)
			elapsed += res.Duration
		}
		suite.Tests = len(suite.Cases)
		suite.Time = seconds(elapsed)
		all.Tests += suite.Tests
		all.Failures += suite.Failures
		all.Skipped += suite.Skipped
		total += elapsed
		all.Suites = append(all.Suites, suite)
	}
	all.Time = seconds(total)
	return writeJUnit(w, all)
}

// JUnitError writes the JUnit report of a check that could not run at all, such as a
// build error: one testcase, "check", in error, so that CI shows why.
func JUnitError(w io.Writer, l scenario.Lesson, t scenario.Target, cause error) error {
	suite := junitSuite{
		Name: l.Slug, Tests: 1, Errors: 1, Time: seconds(0),
		Properties: []junitProperty{{"title", l.Title}, {"target", t.Describe()}},
		Cases: []junitCase{{Name: "check", Classname: l.Slug, Time: seconds(0),
			Error: &junitMessage{Message: firstLine(cause.Error()), Type: "error", Text: cause.Error()}}},
	}
	return writeJUnit(w, junitSuites{Name: "gochat checker", Tests: 1, Errors: 1, Time: seconds(0), Suites: []junitSuite{suite}})
}

func writeJUnit(w io.Writer, all junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func failureText(res scenario.Result) string {
	var b strings.Builder
	b.WriteString(res.Doc + "\n\n" + res.Message + "\n")
	if res.Hint != "" {
		b.WriteString("hint: " + res.Hint + "\n")
	}
	fmt.Fprintf(&b, "seed: %d\n", res.Seed)
	if res.Transcript != "" {
		b.WriteString("transcript (seconds since the scenario began; → sent, ← received, · noted):\n" + res.Transcript)
	}
	return b.String()
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
