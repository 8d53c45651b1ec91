package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/hints"
	"github.com/gochat-course/gochat/checker/lessons"
)

func TestHint(t *testing.T) {
	hs, err := hints.For("01-echo")
	require.NoError(t, err)
	n := len(hs)
	require.GreaterOrEqual(t, n, 3)

	// hint runs the hint command with a state file of the test's own and returns its
	// status, output and error output.
	hint := func(t *testing.T, state string, args ...string) (int, string, string) {
		t.Helper()
		sio, out, errOut := testIO()
		code := runHint(context.Background(), append([]string{"-state", state}, args...), sio)
		return code, out.String(), errOut.String()
	}

	t.Run("shows the hints one at a time and remembers the last", func(t *testing.T) {
		state := filepath.Join(t.TempDir(), ".check", "hints-state")
		for i := 1; i <= n; i++ {
			code, out, _ := hint(t, state, "01")
			require.Equal(t, exitPass, code)
			assert.Contains(t, out, "lesson 01 · echo · hint "+strconv.Itoa(i)+" of "+strconv.Itoa(n)+": "+hs[i-1].Title)
		}
		_, out, _ := hint(t, state, "01")
		assert.Contains(t, out, "you have seen all")
		assert.Contains(t, out, "that was the last hint. make solution-diff LESSON=01")
	})

	t.Run("shows every hint without moving the learner's place", func(t *testing.T) {
		state := filepath.Join(t.TempDir(), "hints-state")
		_, out, _ := hint(t, state, "-lesson", "01", "-all")
		for i, h := range hs {
			assert.Contains(t, out, "hint "+strconv.Itoa(i+1)+" of "+strconv.Itoa(n)+": "+h.Title)
		}
		_, out, _ = hint(t, state, "01")
		assert.Contains(t, out, "hint 1 of")
	})

	t.Run("shows hint n and moves the place on to it", func(t *testing.T) {
		state := filepath.Join(t.TempDir(), "hints-state")
		_, out, _ := hint(t, state, "01", "-n", "2")
		assert.Contains(t, out, "hint 2 of")
		_, out, _ = hint(t, state, "01")
		assert.Contains(t, out, "hint 3 of")
		code, _, errOut := hint(t, state, "01", "-n", strconv.Itoa(n+1))
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, errOut, "has hints 1 to")
	})

	t.Run("reset starts a lesson over, or every lesson", func(t *testing.T) {
		state := filepath.Join(t.TempDir(), "hints-state")
		hint(t, state, "01")
		_, out, _ := hint(t, state, "01", "-reset")
		assert.Contains(t, out, "starts again at hint 1")
		_, out, _ = hint(t, state, "01")
		assert.Contains(t, out, "hint 1 of")
		_, out, _ = hint(t, state, "-reset")
		assert.Contains(t, out, "forgot every hint shown")
		assert.NoFileExists(t, state)
	})

	t.Run("starts over when the state file is damaged", func(t *testing.T) {
		state := filepath.Join(t.TempDir(), "hints-state")
		require.NoError(t, os.WriteFile(state, []byte("{not json"), 0o644))
		code, out, errOut := hint(t, state, "01")
		assert.Equal(t, exitPass, code)
		assert.Contains(t, errOut, "is damaged")
		assert.Contains(t, out, "hint 1 of")
	})
}

func TestEveryLessonHasHints(t *testing.T) {
	for _, l := range lessons.All() {
		t.Run(l.Slug, func(t *testing.T) {
			hs, err := hints.For(l.Slug)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, len(hs), 3, "from a nudge to the exact idea takes at least three hints")
			for _, h := range hs {
				assert.NotEmpty(t, h.Title)
				assert.NotEmpty(t, h.Body, "hint %q has no text", h.Title)
			}
		})
	}
}
