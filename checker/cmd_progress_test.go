package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/scenario"
)

func TestScan(t *testing.T) {
	lessons := []scenario.Lesson{fakeLesson(1, "01-a", "+"), fakeLesson(2, "02-b", "+"), fakeLesson(3, "03-c", "+")}

	t.Run("emits in lesson order whatever order the checks finish in", func(t *testing.T) {
		// Lesson 3 finishes first, then 2, then 1: each check waits for the next one's.
		release := []chan struct{}{make(chan struct{}), make(chan struct{}), make(chan struct{})}
		close(release[2])
		check := func(ctx context.Context, l scenario.Lesson) lessonStatus {
			<-release[l.Number-1]
			if l.Number > 1 {
				close(release[l.Number-2])
			}
			return lessonStatus{lesson: l, state: lessonPass}
		}
		var got []int
		scan(context.Background(), lessons, 3, false, check, func(st lessonStatus) { got = append(got, st.lesson.Number) })
		assert.Equal(t, []int{1, 2, 3}, got)
	})

	t.Run("runs at most parallel checks at once", func(t *testing.T) {
		var mu sync.Mutex
		running, most := 0, 0
		check := func(ctx context.Context, l scenario.Lesson) lessonStatus {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			defer func() { mu.Lock(); running--; mu.Unlock() }()
			return lessonStatus{lesson: l, state: lessonPass}
		}
		scan(context.Background(), lessons, 1, false, check, func(lessonStatus) {})
		assert.Equal(t, 1, most)
	})

	t.Run("stops at the first failure and cancels the lessons after it", func(t *testing.T) {
		check := func(ctx context.Context, l scenario.Lesson) lessonStatus {
			switch l.Number {
			case 1:
				return lessonStatus{lesson: l, state: lessonUnavailable}
			case 2:
				return lessonStatus{lesson: l, state: lessonFail}
			}
			<-ctx.Done() // lesson 3 would run forever: only the cancel ends it
			return lessonStatus{lesson: l, state: lessonCancelled}
		}
		var got []lessonState
		scan(context.Background(), lessons, 3, true, check, func(st lessonStatus) { got = append(got, st.state) })
		assert.Equal(t, []lessonState{lessonUnavailable, lessonFail}, got)
	})

	t.Run("emits nothing more once its context is cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		check := func(ctx context.Context, l scenario.Lesson) lessonStatus {
			if l.Number == 1 {
				cancel()
			}
			<-ctx.Done()
			return lessonStatus{lesson: l, state: lessonCancelled}
		}
		var got []lessonStatus
		scan(ctx, lessons, 2, false, check, func(st lessonStatus) { got = append(got, st) })
		assert.Empty(t, got)
	})
}

func TestQuickCheck(t *testing.T) {
	addr := listen(t)
	tests := []struct {
		name   string
		cfg    checkConfig
		lesson scenario.Lesson
		want   lessonStatus
	}{
		{"passes a lesson whose scenarios all pass", checkConfig{addr: addr, scale: 1}, fakeLesson(1, "01-a", "+++"),
			lessonStatus{state: lessonPass, passed: 3}},
		{"stops at the first failure", checkConfig{addr: addr, scale: 1}, fakeLesson(1, "01-a", "+-+"),
			lessonStatus{state: lessonFail, passed: 1, failed: "b-scenario", message: `alice expected the line "hi"`}},
		{"calls a lesson without scenarios not available", checkConfig{addr: addr, scale: 1}, fakeLesson(1, "01-a", ""),
			lessonStatus{state: lessonUnavailable, message: "not available yet: its scenarios are still to be written"}},
		{"calls a lesson without a directory not available", checkConfig{root: "nowhere", scale: 1}, fakeLesson(1, "01-a", "+"),
			lessonStatus{state: lessonUnavailable, message: "not available yet: there is no nowhere/lessons/01-a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := quickCheck(context.Background(), tt.cfg, tt.lesson)
			assert.Equal(t, tt.want.state, got.state)
			assert.Equal(t, tt.want.passed, got.passed)
			assert.Equal(t, tt.want.failed, got.failed)
			assert.Equal(t, tt.want.message, got.message)
		})
	}
}

func TestBuildErrorLine(t *testing.T) {
	t.Run("picks the compiler's line", func(t *testing.T) {
		err := errors.New("go build ./lessons/02-lines failed:\n    # example\n    lessons/02-lines/server.go:14:2: undefined: scanner")
		assert.Equal(t, "does not build: lessons/02-lines/server.go:14:2: undefined: scanner", buildErrorLine(err))
	})
	t.Run("falls back to the first line", func(t *testing.T) {
		assert.Equal(t, "could not run: no go tool", buildErrorLine(errors.New("no go tool\nat all")))
	})
}

func TestProgress(t *testing.T) {
	addr := listen(t)
	all := []scenario.Lesson{fakeLesson(1, "01-echo", "++"), fakeLesson(2, "02-lines", "+-+"), fakeLesson(3, "03-shared", "")}

	sio, out, _ := testIO()
	require.Equal(t, exitPass, progress(context.Background(), checkConfig{addr: addr, scale: 1, parallel: 2}, all, "-", sio))
	text := out.String()

	t.Run("shows one row per lesson, in order", func(t *testing.T) {
		rows := []string{
			"  01 fake 01-echo    PASS    all 2 pass\n",
			"  02 fake 02-lines   FAIL    1 of 3 pass; b-scenario fails: alice expected the line \"hi\"\n",
			"  03 fake 03-shared  -       not available yet: its scenarios are still to be written\n",
		}
		last := -1
		for _, row := range rows {
			i := strings.Index(text, row)
			require.GreaterOrEqual(t, i, 0, "no row %q in\n%s", row, text)
			assert.Greater(t, i, last, "rows out of order")
			last = i
		}
	})
	t.Run("says how many pass and what to do next", func(t *testing.T) {
		assert.Contains(t, text, "1 of 2 available lessons pass")
		assert.Contains(t, text, "next: make check LESSON=02")
	})
	t.Run("writes the same as JSON", func(t *testing.T) {
		start := strings.Index(text, "{")
		require.GreaterOrEqual(t, start, 0)
		var got struct {
			Passed  int `json:"passed"`
			Lessons []struct {
				Lesson, Status, FirstFailure string
			} `json:"lessons"`
		}
		require.NoError(t, json.Unmarshal([]byte(text[start:]), &got))
		assert.Equal(t, 1, got.Passed)
		require.Len(t, got.Lessons, 3)
		assert.Equal(t, "fail", got.Lessons[1].Status)
	})
}

func TestCheckNext(t *testing.T) {
	addr := listen(t)
	cfg := checkConfig{addr: addr, count: 1, scale: 1, parallel: 4}

	t.Run("checks the first lesson that does not pass, in full", func(t *testing.T) {
		all := []scenario.Lesson{fakeLesson(1, "01-echo", "++"), fakeLesson(2, "02-none", ""),
			fakeLesson(3, "03-lines", "-+-"), fakeLesson(4, "04-chat", "-")}
		sio, out, _ := testIO()
		require.Equal(t, exitFail, checkNext(context.Background(), cfg, all, sio))
		text := out.String()
		assert.Contains(t, text, "lesson 01 · fake 01-echo: passes")
		assert.Contains(t, text, "lesson 02 · fake 02-none: not available yet")
		assert.Contains(t, text, "lesson 03 · fake 03-lines does not pass yet; here is its full check (next time: make check LESSON=03)")
		assert.Contains(t, text, "lesson 03: 1 passed, 2 failed", "the full check runs every scenario")
		assert.NotContains(t, text, "lesson 04")
	})
	t.Run("congratulates when every lesson passes", func(t *testing.T) {
		sio, out, _ := testIO()
		require.Equal(t, exitPass, checkNext(context.Background(), cfg, []scenario.Lesson{fakeLesson(1, "01-echo", "+")}, sio))
		assert.Contains(t, out.String(), "every available lesson passes")
	})
}
