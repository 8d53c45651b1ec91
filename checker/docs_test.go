package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/selftest"
)

// docBlock is a runnable shell block of the documentation: a fenced block whose info
// string is "sh test", optionally followed by options:
//
//	```sh test                    must exit 0
//	```sh test exit=1             must exit 1
//	```sh test needs=python3,jq   is skipped where these programs are not installed
//	```sh test timeout=90s        may take longer than the default minute
//
// The block is one script, run with sh -e from the repository's top directory.
type docBlock struct {
	file    string
	line    int // of the opening fence
	script  string
	exit    int
	needs   []string
	timeout time.Duration
}

// docBlocks extracts the runnable blocks of one Markdown text.
func docBlocks(file, text string) ([]docBlock, error) {
	var blocks []docBlock
	var cur *docBlock
	fence := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				if cur != nil {
					blocks = append(blocks, *cur)
				}
				cur, fence = nil, ""
			} else if cur != nil {
				cur.script += line + "\n"
			}
			continue
		}
		if !strings.HasPrefix(trimmed, "```") && !strings.HasPrefix(trimmed, "~~~") {
			continue
		}
		// The fence is the whole run of backticks or tildes: a block opened with four
		// closes only with four or more.
		info := strings.TrimLeft(trimmed, trimmed[:1])
		fence = trimmed[:len(trimmed)-len(info)]
		fields := strings.Fields(info)
		if len(fields) < 2 || fields[0] != "sh" || fields[1] != "test" {
			continue // an ordinary block: skipped, but its fence still has to close
		}
		cur = &docBlock{file: file, line: n, timeout: time.Minute}
		for _, opt := range fields[2:] {
			key, value, _ := strings.Cut(opt, "=")
			var err error
			switch key {
			case "exit":
				cur.exit, err = strconv.Atoi(value)
			case "needs":
				cur.needs = strings.Split(value, ",")
			case "timeout":
				cur.timeout, err = time.ParseDuration(value)
			default:
				err = errors.New("unknown option")
			}
			if err != nil {
				return nil, &os.PathError{Op: "line " + strconv.Itoa(n) + ": option " + opt, Path: file, Err: err}
			}
		}
	}
	if fence != "" {
		return nil, &os.PathError{Op: "read", Path: file, Err: errors.New("a fenced block is never closed")}
	}
	return blocks, sc.Err()
}

func TestDocBlocks(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []docBlock
	}{
		{"finds a runnable block", "text\n```sh test\nmake check LESSON=01\n```\n",
			[]docBlock{{line: 2, script: "make check LESSON=01\n", timeout: time.Minute}}},
		{"reads its options", "```sh test exit=1 needs=python3,jq timeout=2m\nfalse\n```\n",
			[]docBlock{{line: 1, script: "false\n", exit: 1, needs: []string{"python3", "jq"}, timeout: 2 * time.Minute}}},
		{"leaves ordinary blocks alone", "```sh\nrm -rf /\n```\n```go\nfunc main() {}\n```\n", nil},
		{"is not fooled by a fence inside another kind of fence", "~~~md\n```sh test\nfalse\n```\n~~~\n", nil},
		{"is not fooled by a fence inside a longer fence", "````md\n```sh test\nfalse\n```\n````\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := docBlocks("x.md", tt.text)
			require.NoError(t, err)
			for i := range tt.want {
				tt.want[i].file = "x.md"
			}
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("refuses an unknown option, so that a typo is not a silent skip", func(t *testing.T) {
		_, err := docBlocks("x.md", "```sh test exits=1\nfalse\n```\n")
		assert.ErrorContains(t, err, "unknown option")
	})
	t.Run("refuses a block that is never closed", func(t *testing.T) {
		_, err := docBlocks("x.md", "```sh test\nfalse\n")
		assert.ErrorContains(t, err, "never closed")
	})
}

// TestDocsCommands runs every runnable block of the documentation, so that the docs
// cannot drift from the code: README.md, docs/**.md and lessons/*/README.md.
func TestDocsCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the documented commands build and run servers")
	}
	root := selftest.Root(t)
	var files []string
	for _, pattern := range []string{"README.md", "docs/*.md", "docs/*/*.md", "lessons/*/README.md"} {
		matches, err := filepath.Glob(filepath.Join(root, pattern))
		require.NoError(t, err)
		files = append(files, matches...)
	}
	var blocks []docBlock
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		rel, err := filepath.Rel(root, f)
		require.NoError(t, err)
		bs, err := docBlocks(rel, string(data))
		require.NoError(t, err)
		blocks = append(blocks, bs...)
	}
	require.NotEmpty(t, blocks, "no ```sh test block in the docs: has the marker changed?")

	for _, b := range blocks {
		t.Run(b.file+":"+strconv.Itoa(b.line), func(t *testing.T) {
			for _, prog := range b.needs {
				if _, err := exec.LookPath(prog); err != nil {
					t.Skipf("needs %s, which is not installed", prog)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, "sh", "-ec", b.script)
			cmd.Dir = root
			// A make started from make test must not think it is a sub-make.
			cmd.Env = append(withoutEnv(os.Environ(), "MAKEFLAGS", "MAKELEVEL", "MFLAGS"), "NO_COLOR=1")
			out, err := cmd.CombinedOutput()
			code := 0
			var exit *exec.ExitError
			switch {
			case ctx.Err() != nil:
				t.Fatalf("%s:%d did not finish within %s:\n%s\noutput:\n%s", b.file, b.line, b.timeout, b.script, out)
			case errors.As(err, &exit):
				code = exit.ExitCode()
			case err != nil:
				t.Fatalf("running %s:%d: %v", b.file, b.line, err)
			}
			assert.Equalf(t, b.exit, code, "%s:%d exited with %d, the docs say %d:\n%s\noutput:\n%s",
				b.file, b.line, code, b.exit, b.script, out)
		})
	}
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			if name == n {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
