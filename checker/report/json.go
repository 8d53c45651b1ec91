package report

import (
	"encoding/json"
	"io"

	"github.com/gochat-course/gochat/checker/scenario"
)

// jsonResult is one scenario in the JSON report: the contract autograders read.
type jsonResult struct {
	Lesson     string  `json:"lesson"`
	Scenario   string  `json:"scenario"`
	Doc        string  `json:"doc"`
	Status     string  `json:"status"` // "pass", "fail" or "skip"
	Message    string  `json:"message,omitempty"`
	Hint       string  `json:"hint,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	Seed       int64   `json:"seed"`
}

// jsonReport is the whole JSON report. Fields are only ever added to it, never renamed
// or removed: classroom scripts depend on them (docs/checker.md documents them).
type jsonReport struct {
	Lesson  string       `json:"lesson"` // the slug, such as "04-chat"
	Number  int          `json:"number"`
	Title   string       `json:"title"`
	Target  string       `json:"target"`
	Race    bool         `json:"race"`
	Seed    int64        `json:"seed"`
	Scale   float64      `json:"timescale"`
	Passed  int          `json:"passed"`
	Failed  int          `json:"failed"`
	Skipped int          `json:"skipped"`
	Score   float64      `json:"score"`           // passed / (passed + failed): partial credit
	Error   string       `json:"error,omitempty"` // why the check could not run at all
	Results []jsonResult `json:"results"`
}

// JSON writes the report as one JSON object with one entry per scenario run.
func JSON(w io.Writer, r *scenario.Report) error {
	out := jsonReport{
		Lesson: r.Lesson.Slug, Number: r.Lesson.Number, Title: r.Lesson.Title,
		Target: r.Target.Describe(), Race: r.Race, Seed: r.Seed, Scale: r.Scale,
		Passed: r.Count(scenario.Pass), Failed: r.Count(scenario.Fail), Skipped: r.Count(scenario.Skip),
		Results: []jsonResult{},
	}
	if ran := out.Passed + out.Failed; ran > 0 {
		out.Score = float64(out.Passed) / float64(ran)
	}
	for _, res := range r.Results {
		out.Results = append(out.Results, jsonResult{
			Lesson: r.Lesson.Slug, Scenario: res.Scenario, Doc: res.Doc, Status: string(res.Status),
			Message: res.Message, Hint: res.Hint, DurationMS: float64(res.Duration.Microseconds()) / 1000, Seed: res.Seed,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// JSONError writes the JSON report of a check that could not run at all, such as a
// build error: no results, a score of 0, and the reason in "error", so that an
// autograder reads a zero rather than a missing file.
func JSONError(w io.Writer, l scenario.Lesson, t scenario.Target, cause error) error {
	out := jsonReport{
		Lesson: l.Slug, Number: l.Number, Title: l.Title, Target: t.Describe(),
		Error: cause.Error(), Results: []jsonResult{},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
