package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gochat-course/gochat/checker/lessons"
)

// runDiff is the diff command: the learner's copy of a lesson against its reference
// solution.
func runDiff(ctx context.Context, args []string, sio stdio) int {
	var lessonName string
	flags := newFlagSet("diff", "checker diff -lesson NN", sio)
	flags.StringVar(&lessonName, "lesson", "", "the lesson whose code to compare with its reference solution")
	if code, ok := parseWithLesson(flags, args, &lessonName); !ok {
		return code
	}
	if lessonName == "" {
		fmt.Fprintln(sio.err, "checker: which lesson? For example: make solution-diff LESSON=01")
		return exitUsage
	}
	lesson, err := lessons.Find(lessonName)
	if err != nil {
		fmt.Fprintln(sio.err, "checker:", err)
		return exitUsage
	}
	mine := filepath.Join("lessons", lesson.Slug)
	ref := filepath.Join("solutions", lesson.Slug)
	for _, d := range []string{mine, ref} {
		if _, err := os.Stat(d); err != nil {
			fmt.Fprintf(sio.err, "checker: cannot find %s (run from the repository's top directory, as make does)\n", d)
			return exitUsage
		}
	}
	return solutionDiff(ctx, ".", mine, ref, sio)
}

// solutionDiff shows the differences from mine to ref, two directories under root: lines starting with - are only
// in mine, lines starting with + only in ref. It compares code only: the lesson's README
// and other Markdown are left out. It prefers git, which colours its output on a
// terminal, and falls back to diff.
func solutionDiff(ctx context.Context, root, mine, ref string, sio stdio) int {
	// Copy the code of both into a scratch directory under the same relative paths, so
	// that the diff leaves the READMEs out and still names the files as they are named
	// in the repository.
	tmp, err := os.MkdirTemp("", "gochat-diff-")
	if err != nil {
		fmt.Fprintln(sio.err, "checker:", err)
		return exitUsage
	}
	defer os.RemoveAll(tmp)
	for _, d := range []string{mine, ref} {
		if err := copyCode(filepath.Join(root, d), filepath.Join(tmp, d)); err != nil {
			fmt.Fprintln(sio.err, "checker:", err)
			return exitUsage
		}
	}

	fmt.Fprintf(sio.out, "your code (%s, lines marked -) against the reference solution (%s, lines marked +):\n", mine, ref)
	var cmd *exec.Cmd
	if _, err := exec.LookPath("git"); err == nil {
		color := "--color=never"
		if sio.color {
			color = "--color=always"
		}
		// On a terminal git pages a long diff, as git diff always does.
		cmd = exec.CommandContext(ctx, "git", "diff", "--no-index", color, "--", mine, ref)
	} else if _, err := exec.LookPath("diff"); err == nil {
		cmd = exec.CommandContext(ctx, "diff", "-ru", mine, ref)
	} else {
		fmt.Fprintln(sio.err, "checker: neither git nor diff is installed; compare the two directories in your editor")
		return exitUsage
	}
	cmd.Dir = tmp
	cmd.Stdout, cmd.Stderr = sio.out, sio.err
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		fmt.Fprintln(sio.out, "no differences: your code is the reference solution")
		return exitPass
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return exitPass // both tools exit with 1 when the files differ, which is the point
	}
	fmt.Fprintln(sio.err, "checker:", err)
	return exitUsage
}

// copyCode copies the files under src to dst, leaving out Markdown and hidden files.
func copyCode(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if path != src && (strings.HasPrefix(d.Name(), ".") || strings.HasSuffix(d.Name(), ".md")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}
