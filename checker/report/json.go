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
	Status     string  `json:"status"`
	Message    string  `json:"message,omitempty"`
	Hint       string  `json:"hint,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	Seed       int64   `json:"seed"`
}

type jsonReport struct {
	Lesson  string       `json:"lesson"`
	Target  string       `json:"target"`
	Race    bool         `json:"race"`
	Seed    int64        `json:"seed"`
	Passed  int          `json:"passed"`
	Failed  int          `json:"failed"`
	Skipped int          `json:"skipped"`
	Score   float64      `json:"score"` // passed / (passed + failed): partial credit
	Results []jsonResult `json:"results"`
}

// JSON writes the report as one JSON object with one entry per scenario run.
func JSON(w io.Writer, r *scenario.Report) error {
	out := jsonReport{
		Lesson: r.Lesson.Slug, Target: r.Target.Describe(), Race: r.Race, Seed: r.Seed,
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
