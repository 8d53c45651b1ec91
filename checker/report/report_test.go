package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/scenario"
)

// sample is a report with one scenario of each outcome.
func sample() *scenario.Report {
	return &scenario.Report{
		Lesson: scenario.Lesson{Number: 4, Slug: "04-chat", Title: "single-room chat"},
		Target: scenario.Target{Dir: "lessons/04-chat"}, Race: true, Seed: 42, Scale: 1,
		Results: []scenario.Result{
			{Scenario: "welcome", Doc: "a newcomer is welcomed", Status: scenario.Pass, Duration: 12 * time.Millisecond, Seed: 42},
			{Scenario: "relay", Doc: "lines reach the others", Status: scenario.Fail, Duration: 2 * time.Second, Seed: 42,
				Message:    "bob expected the line \"[alice] hi\\n\" (waited 2s)\n  but got nothing",
				Hint:       "step 2: relay every line to every other member",
				Transcript: "    bob:\n         0.001s · connected\n",
				Server:     "chat: listening\x00 on 127.0.0.1:1234\n"},
			{Scenario: "shutdown", Doc: "the server stops cleanly", Status: scenario.Skip, Seed: 42,
				Message: "needs to control the server process"},
		},
	}
}

func TestJSON(t *testing.T) {
	t.Run("gives partial credit over the scenarios that ran", func(t *testing.T) {
		var b bytes.Buffer
		require.NoError(t, JSON(&b, sample()))
		var got struct {
			Lesson  string  `json:"lesson"`
			Number  int     `json:"number"`
			Passed  int     `json:"passed"`
			Failed  int     `json:"failed"`
			Skipped int     `json:"skipped"`
			Score   float64 `json:"score"`
			Results []struct {
				Scenario   string  `json:"scenario"`
				Status     string  `json:"status"`
				Hint       string  `json:"hint"`
				DurationMS float64 `json:"duration_ms"`
			} `json:"results"`
		}
		require.NoError(t, json.Unmarshal(b.Bytes(), &got))
		assert.Equal(t, "04-chat", got.Lesson)
		assert.Equal(t, 4, got.Number)
		assert.Equal(t, []int{1, 1, 1}, []int{got.Passed, got.Failed, got.Skipped})
		assert.InDelta(t, 0.5, got.Score, 1e-9)
		require.Len(t, got.Results, 3)
		assert.Equal(t, "fail", got.Results[1].Status)
		assert.Equal(t, "step 2: relay every line to every other member", got.Results[1].Hint)
		assert.InDelta(t, 2000, got.Results[1].DurationMS, 1e-9)
	})
}

func TestJUnit(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, JUnit(&b, sample()))
	out := b.String()

	t.Run("is well-formed XML with a testcase per scenario", func(t *testing.T) {
		var got junitSuites
		require.NoError(t, xml.Unmarshal(b.Bytes(), &got))
		require.Len(t, got.Suites, 1)
		s := got.Suites[0]
		assert.Equal(t, "04-chat", s.Name)
		assert.Equal(t, []int{3, 1, 1}, []int{s.Tests, s.Failures, s.Skipped})
		assert.Equal(t, []int{3, 1, 1}, []int{got.Tests, got.Failures, got.Skipped})
		require.Len(t, s.Cases, 3)
		assert.Nil(t, s.Cases[0].Failure)
		require.NotNil(t, s.Cases[1].Failure)
		assert.Equal(t, `bob expected the line "[alice] hi\n" (waited 2s)`, s.Cases[1].Failure.Message)
		assert.Contains(t, s.Cases[1].Failure.Text, "hint: step 2")
		assert.Contains(t, s.Cases[1].Failure.Text, "seed: 42")
		require.NotNil(t, s.Cases[2].Skipped)
		assert.Equal(t, "2.000", s.Cases[1].Time)
	})
	t.Run("replaces bytes that XML cannot carry", func(t *testing.T) {
		assert.NotContains(t, out, "\x00")
		assert.Contains(t, out, "listening\uFFFD on")
	})
	t.Run("tells repeated runs of a scenario apart by seed", func(t *testing.T) {
		rep := sample()
		rep.Results = []scenario.Result{
			{Scenario: "relay", Status: scenario.Pass, Seed: 7},
			{Scenario: "relay", Status: scenario.Pass, Seed: 8},
		}
		var b bytes.Buffer
		require.NoError(t, JUnit(&b, rep))
		assert.Contains(t, b.String(), `name="relay (seed 7)"`)
		assert.Contains(t, b.String(), `name="relay (seed 8)"`)
	})
}

func TestErrorReports(t *testing.T) {
	lesson := scenario.Lesson{Number: 2, Slug: "02-lines", Title: "lines"}
	cause := errors.New("go build ./lessons/02-lines failed:\n    server.go:3:1: syntax error")

	t.Run("JSON has a score of 0 and the reason", func(t *testing.T) {
		var b bytes.Buffer
		require.NoError(t, JSONError(&b, lesson, scenario.Target{Dir: "lessons/02-lines"}, cause))
		var got map[string]any
		require.NoError(t, json.Unmarshal(b.Bytes(), &got))
		assert.Equal(t, "02-lines", got["lesson"])
		assert.Equal(t, 0.0, got["score"])
		assert.Contains(t, got["error"], "syntax error")
		assert.Equal(t, []any{}, got["results"])
	})
	t.Run("JUnit has one testcase in error", func(t *testing.T) {
		var b bytes.Buffer
		require.NoError(t, JUnitError(&b, lesson, scenario.Target{Dir: "lessons/02-lines"}, cause))
		var got junitSuites
		require.NoError(t, xml.Unmarshal(b.Bytes(), &got))
		assert.Equal(t, 1, got.Errors)
		require.Len(t, got.Suites, 1)
		require.Len(t, got.Suites[0].Cases, 1)
		require.NotNil(t, got.Suites[0].Cases[0].Error)
		assert.Equal(t, "go build ./lessons/02-lines failed:", got.Suites[0].Cases[0].Error.Message)
	})
}

func TestText(t *testing.T) {
	render := func(verbose bool, help string) string {
		var b bytes.Buffer
		text := &Text{W: &b, Verbose: verbose, Help: help,
			Rerun: func(name string, seed int64) string { return "make check LESSON=04 RUN=" + name }}
		rep := sample()
		text.Header(rep)
		second := rep.Results[1]
		second.Scenario = "relay-again"
		for _, res := range append(rep.Results, second) {
			text.Result(res)
		}
		text.Summary(rep)
		return b.String()
	}

	t.Run("names the wait, the hint, the transcript and the rerun command of the first failure", func(t *testing.T) {
		out := render(false, "")
		assert.Contains(t, out, "lesson 04 · single-room chat · lessons/04-chat (built with -race) · seed 42")
		assert.Contains(t, out, "  FAIL  relay ")
		assert.Contains(t, out, "        bob expected the line \"[alice] hi\\n\" (waited 2s)\n          but got nothing\n")
		assert.Contains(t, out, "        hint: step 2: relay every line to every other member\n")
		assert.Contains(t, out, "      transcript (seconds since the scenario began")
		assert.Contains(t, out, "        bob:\n")
		assert.Contains(t, out, "      the server printed:\n")
		assert.Contains(t, out, "      rerun just this: make check LESSON=04 RUN=relay\n")
		assert.Contains(t, out, "        skipped: needs to control the server process\n")
		assert.Contains(t, out, "lesson 04: 1 passed, 1 failed, 1 skipped\n")
	})
	t.Run("shows later failures briefly unless verbose", func(t *testing.T) {
		assert.Contains(t, render(false, ""), "        details: make check LESSON=04 RUN=relay-again\n")
		assert.Equal(t, 1, strings.Count(render(false, ""), "transcript ("))
		assert.Equal(t, 2, strings.Count(render(true, ""), "transcript ("))
	})
	t.Run("has no colour unless asked", func(t *testing.T) {
		assert.NotContains(t, render(false, ""), "\x1b[")
	})
	t.Run("ends a failing check with where to get help", func(t *testing.T) {
		assert.True(t, strings.HasSuffix(render(false, "stuck? make hint"), "1 skipped\nstuck? make hint\n"))
	})
	t.Run("explains the scenarios skipped in attach mode", func(t *testing.T) {
		var b bytes.Buffer
		rep := sample()
		rep.Target = scenario.Target{Addr: "127.0.0.1:7004"}
		(&Text{W: &b}).Summary(rep)
		assert.Contains(t, b.String(), "check without ADDR to include them")
	})
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name, in string
		width    int
		want     string
	}{
		{"keeps a short text on one line", "one two three", 20, "one two three"},
		{"breaks at the last space that fits", "one two three", 8, "one two\n> three"},
		{"keeps a long word whole", "abcdefghij k", 4, "abcdefghij\n> k"},
		{"collapses runs of spaces", "a   b", 10, "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, wrap(tt.in, tt.width, "> "))
		})
	}
}

func TestJSONWriteError(t *testing.T) {
	t.Run("returns the writer's error", func(t *testing.T) {
		assert.Error(t, JSON(failingWriter{}, sample()))
		assert.Error(t, JUnit(failingWriter{}, sample()))
	})
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
