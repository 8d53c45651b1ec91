package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSolutionDiff(t *testing.T) {
	write := func(t *testing.T, path, content string) {
		t.Helper()
		path = filepath.FromSlash(path)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	root := t.TempDir()
	write(t, root+"/lessons/01-x/server.go", "package main\n\n// TODO(step 1)\n")
	write(t, root+"/lessons/01-x/README.md", "# the lesson\n")
	write(t, root+"/solutions/01-x/server.go", "package main\n\nfunc handle() {}\n")

	t.Run("shows the learner's lines as - and the reference's as +, without the README", func(t *testing.T) {
		sio, out, errOut := testIO()
		require.Equal(t, exitPass, solutionDiff(context.Background(), root, "lessons/01-x", "solutions/01-x", sio), errOut.String())
		assert.Contains(t, out.String(), "-// TODO(step 1)")
		assert.Contains(t, out.String(), "+func handle() {}")
		assert.NotContains(t, out.String(), "README")
		assert.NotContains(t, out.String(), "\x1b[", "no colour when not on a terminal")
	})

	t.Run("says when there is no difference", func(t *testing.T) {
		write(t, root+"/lessons/01-y/server.go", "package main\n")
		write(t, root+"/solutions/01-y/server.go", "package main\n")
		sio, out, _ := testIO()
		require.Equal(t, exitPass, solutionDiff(context.Background(), root, "lessons/01-y", "solutions/01-y", sio))
		assert.Contains(t, out.String(), "no differences")
	})
}
