package client

import (
	"fmt"
	"regexp"
	"strings"
)

// Matcher decides whether a received line is the one a client waits for. Desc says what
// that line is, as a phrase that completes "alice expected ...".
type Matcher struct {
	Desc  string
	Match func(line string) bool
	exact *string // set by Exact, so that a mismatch can point at the first wrong byte
}

// Exact matches the line s and nothing else.
func Exact(s string) Matcher {
	return Matcher{Desc: "the line " + Quote(s+"\n", 200), Match: func(l string) bool { return l == s }, exact: &s}
}

// Prefix matches any line that starts with p.
func Prefix(p string) Matcher {
	return Matcher{Desc: "a line starting with " + Quote(p, 80), Match: func(l string) bool { return strings.HasPrefix(l, p) }}
}

// Contains matches any line that contains s.
func Contains(s string) Matcher {
	return Matcher{Desc: "a line containing " + Quote(s, 80), Match: func(l string) bool { return strings.Contains(l, s) }}
}

// Regexp matches any line that the regular expression matches.
func Regexp(desc, expr string) Matcher {
	re := regexp.MustCompile(expr)
	return Matcher{Desc: desc, Match: re.MatchString}
}

// Func matches lines for which f is true; desc says which lines those are.
func Func(desc string, f func(string) bool) Matcher { return Matcher{Desc: desc, Match: f} }

// Any matches every line.
func Any() Matcher { return Matcher{Desc: "a line", Match: func(string) bool { return true }} }

// Describe renders a matcher list for messages: "one of: a, b, c".
func Describe(ms []Matcher) string {
	descs := make([]string, len(ms))
	for i, m := range ms {
		descs[i] = m.Desc
	}
	if len(descs) == 1 {
		return descs[0]
	}
	return fmt.Sprintf("these %d lines in any order: %s", len(descs), strings.Join(descs, "; "))
}
