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
	if bin, err = binaryPath(dir, outDir); err != nil {
		return "", false, err
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
		return "", false, buildFailed(dir, out)
	}
	// Some platforms, or machines without a C compiler for cgo, cannot build with -race.
	// The check still runs; it just cannot report data races.
	if out, err = goCommand(ctx, dir, append(args, ".")...); err != nil {
		return "", false, buildFailed(dir, out)
	}
	return bin, false, nil
}

// BuildWithoutRace compiles the Go main package in dir into a binary under outDir,
// without the race detector: for measuring a server, which the detector slows down
// several times. Like Build, it runs the go command in dir.
func BuildWithoutRace(ctx context.Context, dir, outDir string) (bin string, err error) {
	if bin, err = binaryPath(dir, outDir); err != nil {
		return "", err
	}
	if out, err := goCommand(ctx, dir, "build", "-o", bin, "."); err != nil {
		return "", buildFailed(dir, out)
	}
	return bin, nil
}

// binaryPath is where a build of the package in dir goes: an absolute path, since the
// go command runs in dir.
func binaryPath(dir, outDir string) (string, error) {
	outDir, err := filepath.Abs(outDir)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(outDir, filepath.Base(filepath.Clean(dir)))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	return bin, nil
}

func buildFailed(dir, out string) error {
	return fmt.Errorf("go build in %s failed:\n%s", dir, indent(out))
}

// goCommand runs go with args in dir and returns what it printed. When go could not
// even start (no such directory, no go on the PATH), that is what it returns instead.
func goCommand(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil && len(out) == 0 {
		return err.Error(), err
	}
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
