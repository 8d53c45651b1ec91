package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/scenario"
)

func TestCheckLesson(t *testing.T) {
	t.Run("passes, prints the seed and exits 0 when every scenario passes", func(t *testing.T) {
		sio, out, _ := testIO()
		cfg := checkConfig{addr: listen(t), count: 1, scale: 1, seed: 1234}
		require.Equal(t, exitPass, checkLesson(context.Background(), cfg, fakeLesson(1, "01-fake", "++"), sio))
		assert.Contains(t, out.String(), "attach mode: checking the server that listens at "+cfg.addr)
		assert.Contains(t, out.String(), "seed 1234")
		assert.Contains(t, out.String(), "lesson 01: 2 passed, 0 failed")
		assert.NotContains(t, out.String(), "stuck?")
	})

	t.Run("fails with the wait, the hint, a rerun command and where to get help", func(t *testing.T) {
		sio, out, _ := testIO()
		cfg := checkConfig{addr: listen(t), count: 1, scale: 1, seed: 77}
		require.Equal(t, exitFail, checkLesson(context.Background(), cfg, fakeLesson(3, "03-fake", "+-"), sio))
		assert.Contains(t, out.String(), `alice expected the line "hi"`)
		assert.Contains(t, out.String(), "hint: step 1: say hi")
		assert.Contains(t, out.String(), "rerun just this: make check LESSON=03 ADDR="+cfg.addr+" RUN=b-scenario SEED=77")
		assert.Contains(t, out.String(), "stuck? make hint LESSON=03")
	})

	t.Run("writes JSON, JUnit and the transcript where asked", func(t *testing.T) {
		dir := t.TempDir()
		sio, _, _ := testIO()
		cfg := checkConfig{addr: listen(t), count: 2, scale: 1,
			jsonOut:    filepath.Join(dir, "r.json"),
			junitOut:   filepath.Join(dir, "r.xml"),
			transcript: filepath.Join(dir, "t.txt")}
		require.Equal(t, exitFail, checkLesson(context.Background(), cfg, fakeLesson(3, "03-fake", "+-"), sio))

		var got struct {
			Score   float64 `json:"score"`
			Results []any   `json:"results"`
		}
		data, err := os.ReadFile(cfg.jsonOut)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &got))
		assert.InDelta(t, 0.5, got.Score, 1e-9)
		assert.Len(t, got.Results, 4, "-count 2 runs each scenario twice")

		xml, err := os.ReadFile(cfg.junitOut)
		require.NoError(t, err)
		assert.Contains(t, string(xml), `<testsuite name="03-fake" tests="4" failures="2"`)

		transcript, err := os.ReadFile(cfg.transcript)
		require.NoError(t, err)
		assert.Contains(t, string(transcript), "=== b-scenario (seed ")
	})

	t.Run("says once, clearly, that nothing listens at the address", func(t *testing.T) {
		sio, _, errOut := testIO()
		lesson := fakeLesson(4, "04-chat", "+")
		lesson.Flags = []string{"-idle-timeout", "1s"}
		cfg := checkConfig{addr: "127.0.0.1:1", count: 1, scale: 1}
		require.Equal(t, exitUsage, checkLesson(context.Background(), cfg, lesson, sio))
		assert.Contains(t, errOut.String(), "nothing accepts connections at 127.0.0.1:1")
		assert.Contains(t, errOut.String(), "go run ./lessons/04-chat -addr 127.0.0.1:1 -idle-timeout 1s")
		assert.Contains(t, errOut.String(), "0.0.0.0")
	})

	t.Run("in attach mode prints the flags to start the server with and what will be skipped", func(t *testing.T) {
		sio, out, _ := testIO()
		lesson := fakeLesson(9, "09-fake", "++")
		lesson.Flags = []string{"-shutdown-timeout", "1s"}
		lesson.Scenarios[0].NeedsProcess = true
		lesson.Scenarios[1].Flags = []string{"-queue", "4"}
		cfg := checkConfig{addr: listen(t), count: 1, scale: 2}
		require.Equal(t, exitPass, checkLesson(context.Background(), cfg, lesson, sio))
		assert.Contains(t, out.String(), "start it with these flags, so that its timings match the checker's: -shutdown-timeout 1s")
		assert.Contains(t, out.String(), "multiply every duration in them by 2")
		assert.Contains(t, out.String(), "skipped in attach mode, because they signal or restart the server: a-scenario")
		assert.Contains(t, out.String(), "need the server started with flags of their own: b-scenario")
		assert.Contains(t, out.String(), "needs a server started with its own flags (-queue 4)")
		assert.Contains(t, out.String(), "0 passed, 0 failed, 2 skipped")
	})

	t.Run("still writes JSON and JUnit when the code does not build", func(t *testing.T) {
		// An empty directory has no package to build: a quick build error.
		dir := t.TempDir()
		sio, _, errOut := testIO()
		cfg := checkConfig{dir: dir, count: 1, scale: 1,
			jsonOut: filepath.Join(dir, "r.json"), junitOut: filepath.Join(dir, "r.xml")}
		require.Equal(t, exitUsage, checkLesson(context.Background(), cfg, fakeLesson(2, "02-fake", "+"), sio))
		assert.Contains(t, errOut.String(), "go build")
		data, err := os.ReadFile(cfg.jsonOut)
		require.NoError(t, err)
		assert.Contains(t, string(data), `"score": 0`)
		assert.Contains(t, string(data), `"error": "go build`)
		xml, err := os.ReadFile(cfg.junitOut)
		require.NoError(t, err)
		assert.Contains(t, string(xml), `errors="1"`)
	})

	t.Run("does not report the scenario that a cancel cut short", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		lesson := fakeLesson(1, "01-fake", "++")
		lesson.Scenarios[1].Run = func(env *scenario.Env) error {
			cancel()
			<-env.Ctx.Done()
			return env.Ctx.Err()
		}
		sio, out, _ := testIO()
		cfg := checkConfig{addr: listen(t), count: 1, scale: 1}
		require.Equal(t, exitFail, checkLesson(ctx, cfg, lesson, sio))
		assert.Contains(t, out.String(), "PASS  a-scenario")
		assert.NotContains(t, out.String(), "b-scenario")
		assert.NotContains(t, out.String(), "passed,", "no summary for a check that was stopped")
		assert.Contains(t, out.String(), "(stopped)")
	})

	t.Run("refuses a lesson that has no scenarios yet", func(t *testing.T) {
		sio, _, errOut := testIO()
		cfg := checkConfig{addr: "127.0.0.1:1", count: 1, scale: 1}
		require.Equal(t, exitUsage, checkLesson(context.Background(), cfg, fakeLesson(5, "05-fake", ""), sio))
		assert.Contains(t, errOut.String(), "not available yet")
	})

	t.Run("reports a lesson directory that does not exist", func(t *testing.T) {
		sio, _, errOut := testIO()
		cfg := checkConfig{root: t.TempDir(), count: 1, scale: 1}
		require.Equal(t, exitUsage, checkLesson(context.Background(), cfg, fakeLesson(1, "01-fake", "+"), sio))
		assert.Contains(t, errOut.String(), "cannot find")
	})
}

func TestRerunCommand(t *testing.T) {
	lesson := scenario.Lesson{Number: 4, Slug: "04-chat"}
	tests := []struct {
		name string
		cfg  checkConfig
		want string
	}{
		{"the learner's lesson", checkConfig{scale: 1}, "make check LESSON=04 RUN=relay SEED=9"},
		{"the solution", checkConfig{solution: true, scale: 1}, "make check LESSON=04 SOLUTION=1 RUN=relay SEED=9"},
		{"another directory", checkConfig{dir: "my chat", scale: 1}, "make check LESSON=04 DIR='my chat' RUN=relay SEED=9"},
		{"a command, quoted for the shell", checkConfig{command: "python3 chat.py --port {port} --motd 'hi'", scale: 1},
			`make check LESSON=04 CMD='python3 chat.py --port {port} --motd '\''hi'\''' RUN=relay SEED=9`},
		{"attach mode", checkConfig{addr: "10.0.0.7:7004", scale: 1}, "make check LESSON=04 ADDR=10.0.0.7:7004 RUN=relay SEED=9"},
		{"a time scale", checkConfig{scale: 2.5}, "make check LESSON=04 RUN=relay SEED=9 TIMESCALE=2.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.cfg.rerunCommand(lesson, "relay", 9))
		})
	}
}
