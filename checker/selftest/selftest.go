// Package selftest proves that a lesson's check is fair in both directions: the reference
// solution passes it, the skeleton fails it, and each realistic broken variant of the
// solution fails on the scenario meant to catch it. The lessons' tests and `make
// selftest` are built on it.
package selftest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/scenario"
)

// Variant is a mistake learners really make, written as edits of one file of the
// reference solution.
type Variant struct {
	Name    string // the mistake, completing "a server that ...": "handles one connection at a time"
	File    string // a file of the solution, such as "server.go"
	Edits   []Edit
	FailsOn string // the scenario that must catch it
}

// Edit replaces Old, which must occur exactly once in the file, with New.
type Edit struct{ Old, New string }

// Root is the repository's top directory, found from the test's working directory.
func Root(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	require.NoError(t, err)
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// Scale is the time scale for checks run from tests: GOCHAT_TIMESCALE, or 2, since the
// tests run the checker and several servers at once, all under the race detector.
func Scale() float64 {
	if f, err := strconv.ParseFloat(os.Getenv("GOCHAT_TIMESCALE"), 64); err == nil && f > 0 {
		return f
	}
	return 2
}

// Lesson runs the three proofs for one lesson as subtests.
func Lesson(t *testing.T, lesson scenario.Lesson, variants []Variant) {
	root := Root(t)
	require.NotEmpty(t, lesson.Scenarios, "lesson %s has no scenarios", lesson.Slug)

	t.Run("the solution passes every scenario", func(t *testing.T) {
		t.Parallel()
		rep := check(t, lesson, scenario.Target{Dir: filepath.Join(root, "solutions", lesson.Slug)}, "")
		for _, res := range rep.Results {
			require.Equalf(t, scenario.Pass, res.Status, "scenario %s: %s\n%s\nserver:\n%s", res.Scenario, res.Message, res.Transcript, res.Server)
		}
	})

	t.Run("the skeleton fails its first scenario", func(t *testing.T) {
		t.Parallel()
		first := lesson.Scenarios[0].Name
		rep := check(t, lesson, scenario.Target{Dir: filepath.Join(root, "lessons", lesson.Slug)}, first)
		require.Len(t, rep.Results, 1)
		require.Equal(t, scenario.Fail, rep.Results[0].Status, "the skeleton passed %q, so it does not show the learner where to start", first)
		require.NotEmpty(t, rep.Results[0].Hint, "a failing first scenario should point to the first step")
	})

	for _, v := range variants {
		t.Run("a server that "+v.Name+" fails "+v.FailsOn, func(t *testing.T) {
			t.Parallel()
			RequireCaught(t, lesson, v)
		})
	}
}

// RequireCaught builds one broken variant and requires its scenario to fail.
func RequireCaught(t *testing.T, lesson scenario.Lesson, v Variant) {
	t.Helper()
	root := Root(t)
	dir := filepath.Join(root, "solutions", lesson.Slug)
	original := filepath.Join(dir, v.File)
	src, err := os.ReadFile(original)
	require.NoError(t, err)
	text := string(src)
	for _, e := range v.Edits {
		require.Equalf(t, 1, strings.Count(text, e.Old),
			"the variant %q edits %q, which must occur exactly once in %s; has the solution changed?", v.Name, e.Old, original)
		text = strings.Replace(text, e.Old, e.New, 1)
	}

	tmp := t.TempDir()
	broken := filepath.Join(tmp, v.File)
	require.NoError(t, os.WriteFile(broken, []byte(text), 0o644))
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {original: broken}})
	require.NoError(t, err)
	overlayFile := filepath.Join(tmp, "overlay.json")
	require.NoError(t, os.WriteFile(overlayFile, overlay, 0o644))

	rep := check(t, lesson, scenario.Target{Dir: dir, Overlay: overlayFile}, v.FailsOn)
	require.Len(t, rep.Results, 1)
	require.Equalf(t, scenario.Fail, rep.Results[0].Status,
		"the broken variant %q passed scenario %q, which should catch it", v.Name, v.FailsOn)
}

func check(t *testing.T, lesson scenario.Lesson, tgt scenario.Target, run string) *scenario.Report {
	t.Helper()
	if run != "" {
		run = regexpQuote(run)
	}
	rep, err := scenario.Run(context.Background(), lesson, scenario.Options{
		Target: tgt, Run: run, Scale: Scale(), WorkDir: t.TempDir(),
	})
	require.NoError(t, err)
	return rep
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
