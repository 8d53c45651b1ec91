// Package target builds, starts, watches and stops the server under test. The server may
// be a lesson's Go package, any command (a server written in another language), or an
// address where a server already listens.
package target

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Build compiles the Go main package in dir into a binary under outDir, with the race
// detector when the toolchain supports it, and reports whether it did. The overlay file,
// when not empty, is passed to go build -overlay (the tests use it to build broken
// variants of a solution without copying it); the paths in it must be absolute.
//
// The go command runs in dir itself, so dir may be in this repository's module or in
// any other, such as a learner's copy of a lesson with a go.mod of its own.
func Build(ctx context.Context, dir, outDir, overlay string) (bin string, race bool, err error) {
	if outDir, err = filepath.Abs(outDir); err != nil {
		return "", false, err
	}
	bin = filepath.Join(outDir, filepath.Base(filepath.Clean(dir)))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	args := []string{"build", "-o", bin}
	if overlay != "" {
		if overlay, err = filepath.Abs(overlay); err != nil {
			return "", false, err
		}
		args = append(args, "-overlay", overlay)
	}
	out, err := goCommand(ctx, dir, append(args, "-race", ".")...)
	if err == nil {
		return bin, true, nil
	}
	if ctx.Err() != nil {
		return "", false, fmt.Errorf("the build of %s was interrupted", dir)
	}
	if !raceUnsupported(out) {
		return "", false, fmt.Errorf("go build in %s failed:\n%s", dir, indent(out))
	}
	// Some platforms, or machines without a C compiler for cgo, cannot build with -race.
	// The check still runs; it just cannot report data races.
	out, err = goCommand(ctx, dir, append(args, ".")...)
	if err != nil {
		return "", false, fmt.Errorf("go build in %s failed:\n%s", dir, indent(out))
	}
	return bin, false, nil
}

func goCommand(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func raceUnsupported(out string) bool {
	return strings.Contains(out, "-race requires cgo") ||
		strings.Contains(out, "-race is not supported") ||
		strings.Contains(out, "C compiler") && strings.Contains(out, "race")
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
