package lessons

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/scenario"
	"github.com/gochat-course/gochat/checker/selftest"
)

// TestAsyncio checks the asyncio peers in docs/asyncio with the same scenarios as the Go
// lessons. It proves that the checker judges only bytes on the wire: a server in another
// language passes or fails exactly as a Go one would.
func TestAsyncio(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH, so the asyncio peers in docs/asyncio cannot be checked")
	}
	// The peers need Python 3.11 or newer (docs/asyncio/README.md).
	if err := exec.Command(python, "-c", "import sys; sys.exit(sys.version_info < (3, 11))").Run(); err != nil {
		t.Skipf("%s is older than Python 3.11, which the asyncio peers in docs/asyncio need", python)
	}
	root := selftest.Root(t)

	for _, peer := range []struct {
		file   string
		lesson scenario.Lesson
	}{
		{"echo.py", echo()},
		{"budget_chat.py", chat()},
	} {
		t.Run(peer.file+" passes lesson "+peer.lesson.Slug, func(t *testing.T) {
			t.Parallel()
			command := asyncioShellQuote(python) + " " + asyncioShellQuote(filepath.Join(root, "docs", "asyncio", peer.file)) + " --port {port}"
			rep, err := scenario.Run(context.Background(), peer.lesson, scenario.Options{
				Target: scenario.Target{Command: command}, Scale: selftest.Scale(),
			})
			require.NoError(t, err)
			require.NotEmpty(t, rep.Results)
			for _, res := range rep.Results {
				require.Equalf(t, scenario.Pass, res.Status, "scenario %s: %s\n%s\nserver:\n%s",
					res.Scenario, res.Message, res.Transcript, res.Server)
			}
		})
	}
}

// asyncioShellQuote quotes s for /bin/sh, which runs a start command.
func asyncioShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
