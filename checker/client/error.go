package client

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Error is an expectation that did not hold. It names the wait: who waited, for what,
// for how long, and what came instead, and it may carry a hint about the likely cause.
type Error struct {
	Client string        // who waited
	Want   string        // what they waited for, as a phrase: "a line equal to \"hi\""
	Got    string        // what came instead: "nothing", "the line \"ho\"", "the connection closed"
	Waited time.Duration // how long they waited; zero when the answer came at once
	Detail string        // optional extra lines, such as a caret under the first wrong byte
	Hint   string        // optional: the likely cause, in the learner's terms
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s expected %s", e.Client, e.Want)
	if e.Waited > 0 {
		fmt.Fprintf(&b, " (waited %s)", e.Waited.Round(time.Millisecond))
	}
	fmt.Fprintf(&b, "\n  but got %s", e.Got)
	if e.Detail != "" {
		b.WriteString("\n" + e.Detail)
	}
	return b.String()
}

// WithHint attaches a hint to err, if err is (or wraps) an *Error without one, and
// returns it. Scenarios use it to explain the mistake a failed step usually means.
func WithHint(err error, hint string) error {
	var e *Error
	if errors.As(err, &e) && e.Hint == "" {
		e.Hint = hint
	}
	return err
}

// HintOf returns the hint carried by err, if any.
func HintOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}

// ClientOf returns the name of the client that err is about, if any.
func ClientOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Client
	}
	return ""
}

// Failf returns an *Error for a check that a scenario makes itself, outside any wait.
func Failf(client, want, gotFormat string, args ...any) error {
	return &Error{Client: client, Want: want, Got: fmt.Sprintf(gotFormat, args...)}
}

// caret marks the first byte where got differs from want, under both strings. Long
// strings are cut to a window around that byte.
func caret(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	const context = 24
	from := max(0, i-context)
	// The caret goes under the byte after the quoted prefix got[from:i]: count columns,
	// not bytes, since Quote keeps printable UTF-8 and "…" is one column wide.
	prefix := Quote(got[from:min(i, len(got))], 0)
	col := utf8.RuneCountInString(prefix) - 1
	if from > 0 {
		col++
	}
	return fmt.Sprintf("  want: %s\n  got:  %s\n        %s^ first difference at byte %d",
		window(want, from, i+context), window(got, from, i+context), strings.Repeat(" ", col), i)
}

// window quotes s[from:to], with "…" where it was cut.
func window(s string, from, to int) string {
	from, to = min(from, len(s)), min(to, len(s))
	q := Quote(s[from:to], 0)
	if from > 0 {
		q = "…" + q
	}
	if to < len(s) {
		q += "…"
	}
	return q
}
