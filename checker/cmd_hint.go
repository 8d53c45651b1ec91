package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gochat-course/gochat/checker/hints"
	"github.com/gochat-course/gochat/checker/lessons"
	"github.com/gochat-course/gochat/checker/scenario"
)

// defaultHintState is where the checker remembers which hints each learner has seen:
// under .check/, which git ignores.
const defaultHintState = ".check/hints-state"

// hintState maps a lesson's slug to the number of the last hint shown (1-based).
type hintState map[string]int

// runHint is the hint command: a lesson's hints one at a time, all at once, or from
// the start again.
func runHint(ctx context.Context, args []string, sio stdio) int {
	var lessonName string
	fs := newFlagSet("hint", "checker hint -lesson NN [-all | -reset | -n K]", sio)
	fs.StringVar(&lessonName, "lesson", "", "the lesson whose hints to show: 01 to 10")
	all := fs.Bool("all", false, "show every hint of the lesson at once")
	reset := fs.Bool("reset", false, "forget which hints were shown (for every lesson, without -lesson)")
	n := fs.Int("n", 0, "show hint number n")
	statePath := fs.String("state", defaultHintState, "the file that remembers the last hint shown per lesson")
	if code, ok := parseWithLesson(fs, args, &lessonName); !ok {
		return code
	}
	if *reset && lessonName == "" {
		if err := os.Remove(*statePath); err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintln(sio.err, "checker:", err)
			return exitUsage
		}
		fmt.Fprintln(sio.out, "forgot every hint shown: make hint LESSON=NN starts again at hint 1")
		return exitPass
	}
	if lessonName == "" {
		fmt.Fprintln(sio.err, "checker: which lesson? For example: make hint LESSON=01")
		return exitUsage
	}
	lesson, err := lessons.Find(lessonName)
	if err != nil {
		fmt.Fprintln(sio.err, "checker:", err)
		return exitUsage
	}
	hs, err := hints.For(lesson.Slug)
	if err != nil {
		fmt.Fprintln(sio.err, "checker:", err)
		return exitUsage
	}
	state, err := loadHintState(*statePath)
	if err != nil {
		// A damaged state file only costs the learner their place; say so and go on.
		fmt.Fprintf(sio.err, "checker: %v; starting again from hint 1\n", err)
		state = hintState{}
	}

	h := hintPrinter{w: sio.out, color: sio.color, lesson: lesson, hints: hs}
	switch {
	case *reset:
		delete(state, lesson.Slug)
		fmt.Fprintf(sio.out, "forgot the hints shown for lesson %02d: make hint LESSON=%02d starts again at hint 1\n", lesson.Number, lesson.Number)
	case *all:
		for i := range hs {
			h.show(i + 1)
		}
		h.footer(len(hs))
		return exitPass // a look at every hint leaves the learner's place as it was
	case *n != 0:
		if *n < 1 || *n > len(hs) {
			fmt.Fprintf(sio.err, "checker: lesson %02d has hints 1 to %d\n", lesson.Number, len(hs))
			return exitUsage
		}
		h.show(*n)
		h.footer(*n)
		state[lesson.Slug] = max(state[lesson.Slug], *n)
	default:
		next := state[lesson.Slug] + 1
		if next > len(hs) {
			fmt.Fprintf(sio.out, "you have seen all %d hints of lesson %02d; here is the last one again.\n\n", len(hs), lesson.Number)
			next = len(hs)
		}
		h.show(next)
		h.footer(next)
		state[lesson.Slug] = next
	}
	if err := saveHintState(*statePath, state); err != nil {
		fmt.Fprintf(sio.err, "checker: cannot remember which hint you saw: %v\n", err)
	}
	return exitPass
}

// hintPrinter shows a lesson's hints.
type hintPrinter struct {
	w      io.Writer
	color  bool
	lesson scenario.Lesson
	hints  []hints.Hint
}

// show prints hint i (1-based) with a heading that says where it stands.
func (h hintPrinter) show(i int) {
	hint := h.hints[i-1]
	heading := fmt.Sprintf("lesson %02d · %s · hint %d of %d: %s", h.lesson.Number, h.lesson.Title, i, len(h.hints), hint.Title)
	if h.color {
		heading = "\x1b[1;36m" + heading + "\x1b[0m"
	}
	fmt.Fprintf(h.w, "%s\n\n%s\n\n", heading, indent(hint.Body, "  "))
}

// footer says what to do after hint i.
func (h hintPrinter) footer(i int) {
	n := h.lesson.Number
	if i < len(h.hints) {
		fmt.Fprintf(h.w, "next: make hint LESSON=%02d shows hint %d of %d (HINT=all shows them all, HINT=reset starts over)\n",
			n, i+1, len(h.hints))
		return
	}
	fmt.Fprintf(h.w, "that was the last hint. make solution-diff LESSON=%02d shows your code against the reference solution.\n", n)
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// loadHintState reads the state file; a missing file is an empty state.
func loadHintState(path string) (hintState, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return hintState{}, nil
	}
	if err != nil {
		return nil, err
	}
	state := hintState{}
	if err := json.Unmarshal(data, &state); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", path, err)
	}
	return state, nil
}

// saveHintState writes the state file, creating its directory, through a temporary file
// and a rename so that an interrupted write never leaves half a file.
func saveHintState(path string, state hintState) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
