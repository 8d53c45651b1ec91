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
// variants of a solution without copying it).
func Build(ctx context.Context, dir, outDir, overlay string) (bin string, race bool, err error) {
	bin = filepath.Join(outDir, filepath.Base(dir))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	args := []string{"build", "-o", bin}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	pkg := dir
	if !filepath.IsAbs(dir) {
		pkg = "./" + filepath.ToSlash(filepath.Clean(dir))
	}
	out, err := goCommand(ctx, append(args, "-race", pkg)...)
	if err == nil {
		return bin, true, nil
	}
	if ctx.Err() != nil {
		return "", false, fmt.Errorf("the build of %s was interrupted", pkg)
	}
	if !raceUnsupported(out) {
		return "", false, fmt.Errorf("go build %s failed:\n%s", pkg, indent(out))
	}
	// Some platforms, or machines without a C compiler for cgo, cannot build with -race.
	// The check still runs; it just cannot report data races.
	out, err = goCommand(ctx, append(args, pkg)...)
	if err != nil {
		return "", false, fmt.Errorf("go build %s failed:\n%s", pkg, indent(out))
	}
	return bin, false, nil
}

func goCommand(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
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
