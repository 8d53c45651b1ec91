package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitFor returns the next value from ch, failing the test if none comes within a
// generous deadline.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// touch writes a file and sets its modification time to at, so that a change is seen
// whatever the filesystem's timestamp resolution.
func touch(t *testing.T, path, content string, at time.Time) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	require.NoError(t, os.Chtimes(path, at, at))
}

// watchHarness runs a watcher over dir whose runs report on channels.
type watchHarness struct {
	started  chan string   // a run started, and why
	finished chan struct{} // a run returned (finished or cancelled)
	idle     chan struct{} // a run finished by itself
	restarts chan string   // a trigger cancelled a run
	enter    *io.PipeWriter
	stop     context.CancelFunc
	done     chan struct{} // the loop returned
}

func startWatch(t *testing.T, dir string, run func(ctx context.Context)) *watchHarness {
	h := &watchHarness{
		started: make(chan string, 10), finished: make(chan struct{}, 10),
		idle: make(chan struct{}, 10), restarts: make(chan string, 10), done: make(chan struct{}),
	}
	in, enter := io.Pipe()
	h.enter = enter
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	w := watcher{
		snapshot: func() (snapshot, error) { return takeSnapshot([]string{dir}, nil) },
		interval: 5 * time.Millisecond,
		in:       in,
		run: func(ctx context.Context, why string) {
			h.started <- why
			run(ctx)
			h.finished <- struct{}{}
		},
		idle:    func() { h.idle <- struct{}{} },
		restart: func(why string) { h.restarts <- why },
	}
	go func() {
		defer close(h.done)
		w.loop(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		enter.Close()
		<-h.done
	})
	return h
}

func TestWatch(t *testing.T) {
	quick := func(context.Context) {}
	base := time.Now().Add(-time.Hour)

	t.Run("runs once at the start, then again when a file is saved", func(t *testing.T) {
		dir := t.TempDir()
		touch(t, filepath.Join(dir, "server.go"), "package main", base)
		h := startWatch(t, dir, quick)
		assert.Equal(t, "checking", waitFor(t, h.started, "the first run"))
		waitFor(t, h.idle, "the first run to finish")

		touch(t, filepath.Join(dir, "server.go"), "package main // edited", base.Add(time.Second))
		assert.Equal(t, "server.go changed", waitFor(t, h.started, "a run after the save"))
	})

	t.Run("runs again when Enter is pressed", func(t *testing.T) {
		h := startWatch(t, t.TempDir(), quick)
		waitFor(t, h.idle, "the first run to finish")
		_, err := h.enter.Write([]byte("\n"))
		require.NoError(t, err)
		waitFor(t, h.started, "the first run")
		assert.Equal(t, "Enter pressed", waitFor(t, h.started, "a run after Enter"))
	})

	t.Run("cancels a running check to start a new one", func(t *testing.T) {
		h := startWatch(t, t.TempDir(), func(ctx context.Context) { <-ctx.Done() })
		waitFor(t, h.started, "the first run")
		_, err := h.enter.Write([]byte("\n"))
		require.NoError(t, err)
		assert.Equal(t, "Enter pressed", waitFor(t, h.restarts, "the restart"))
		waitFor(t, h.finished, "the first run to be cancelled")
		waitFor(t, h.started, "the second run")
	})

	t.Run("stops the running check when it is stopped", func(t *testing.T) {
		h := startWatch(t, t.TempDir(), func(ctx context.Context) { <-ctx.Done() })
		waitFor(t, h.started, "the first run")
		h.stop()
		waitFor(t, h.done, "the loop to return")
		select {
		case <-h.finished:
		default:
			t.Fatal("the loop returned before the running check did")
		}
	})
}

func TestTakeSnapshot(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"server.go", "README.md", ".server.go.swp", "server.go~", "4913", "#server.go#"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, ".git"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".git", "HEAD"), nil, 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "room.go"), nil, 0o644))

	require.NoError(t, os.WriteFile(filepath.Join(dir, "results.json"), nil, 0o644))
	snap, err := takeSnapshot([]string{dir}, map[string]bool{filepath.Join(dir, "results.json"): true})
	require.NoError(t, err)
	var names []string
	for path := range snap {
		rel, err := filepath.Rel(dir, path)
		require.NoError(t, err)
		names = append(names, rel)
	}
	assert.ElementsMatch(t, []string{"server.go", filepath.Join("sub", "room.go")}, names,
		"hidden files, editors' temporary files, Markdown and the check's own output are not watched")

	t.Run("fails on a path that does not exist", func(t *testing.T) {
		_, err := takeSnapshot([]string{filepath.Join(dir, "nope")}, nil)
		assert.Error(t, err)
	})
}

func TestChanged(t *testing.T) {
	a := snapshot{"d/a.go": {1, 1}, "d/b.go": {1, 1}}
	tests := []struct {
		name          string
		before, after snapshot
		want          string
	}{
		{"an edited file", a, snapshot{"d/a.go": {2, 2}, "d/b.go": {1, 1}}, "a.go"},
		{"a new and a removed file", a, snapshot{"d/a.go": {1, 1}, "d/c.go": {1, 1}}, "b.go, c.go"},
		{"many files", snapshot{}, snapshot{"a": {}, "b": {}, "c": {}, "d": {}, "e": {}}, "a, b, c and 2 more"},
		{"nothing that differs", a, a, "a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, changed(tt.before, tt.after))
		})
	}
}
