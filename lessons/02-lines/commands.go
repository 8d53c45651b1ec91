package main

import (
	"strconv"
	"strings"
)

// execute runs one command line and returns the reply line, without its "\n", and
// whether the session goes on. A line is a command word, then optionally a space and an
// argument: everything after the first space, unchanged. Command words are
// case-insensitive.
func execute(line string) (reply string, open bool) {
	word, arg, _ := strings.Cut(line, " ")
	switch asciiUpper(word) {
	case "PING":
		return "PONG", true
	case "UPPER":
		return asciiUpper(arg), true
	case "LEN":
		return strconv.Itoa(len(arg)), true
	}
	// TODO(step 3): QUIT answers BYE and ends the session (open is false). Any other
	// word, the empty one included, answers ERR unknown command "WORD" with the word as
	// the client sent it, and the session goes on.
	return "", false
}

// asciiUpper returns s with the ASCII letters a-z turned into A-Z and every other byte
// unchanged. Unlike strings.ToUpper it leaves non-ASCII text, valid UTF-8 or not, alone,
// as Python's bytes.upper() does.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
