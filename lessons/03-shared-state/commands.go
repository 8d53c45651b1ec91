package main

import (
	"regexp"
	"strconv"
	"strings"
)

// validName is the rule for names: 1 to 32 ASCII letters or digits.
var validName = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

// session is one client's own state. Only the client's goroutine touches it, so it needs
// no lock; everything other clients can see goes through the registry.
type session struct {
	reg  *registry
	name string // "" until the client names itself
	left bool   // whether the client has left the registry
}

// leave takes the client out of the registry. Calling it again does nothing.
func (s *session) leave() {
	if !s.left {
		s.left = true
		s.reg.disconnect(s.name)
	}
}

// execute runs one command line and returns the reply line, without its "\n", and
// whether the session goes on. A line is a command word, then optionally a space and an
// argument: everything after the first space, unchanged. Command words are
// case-insensitive. A command changes the registry before it returns its reply, so a
// client that has the reply can count on the change.
//
// TODO(step 1): add three commands, using the registry in s.reg:
//   - NAME name: if validName does not match, answer ERR invalid name. Otherwise ask
//     s.reg.rename(s.name, name): errNameTaken means ERR name taken; on success keep
//     the name in s.name and answer OK.
//   - WHO: ONLINE, then a space and each name of s.reg.who(): "ONLINE alice bob", or
//     "ONLINE" alone when nobody has a name.
//   - COUNT: COUNT, a space, and s.reg.count(): "COUNT 3".
func (s *session) execute(line string) (reply string, open bool) {
	word, arg, _ := strings.Cut(line, " ")
	switch asciiUpper(word) {
	case "PING":
		return "PONG", true
	case "UPPER":
		return asciiUpper(arg), true
	case "LEN":
		return strconv.Itoa(len(arg)), true
	case "QUIT":
		return "BYE", false
	default:
		// The word goes back as the client sent it, so they can see what we read.
		return `ERR unknown command "` + word + `"`, true
	}
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
