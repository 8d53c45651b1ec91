package lessons

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// The steps of lesson 04, which holds a server to the public Budget Chat spec rather
// than to our wording, so that any Budget Chat server passes: the welcome is any one
// line, a notice is any line starting with "*" that names the right clients as whole
// words, and a refused client may get an explanation before the close or none. Lessons
// 05 and later know our exact strings and use the stricter steps of chat.go (dial, join,
// expect, ...) instead; a budget* step and its chat.go namesake differ on purpose.

// budgetNames returns one client name per base, each base with two random digits: the
// digits make every name impossible to confuse with a word of a server's wording.
func budgetNames(env *scenario.Env, bases ...string) []string {
	names := make([]string, len(bases))
	for i, b := range bases {
		names[i] = fmt.Sprintf("%s%02d", b, env.Rand.Intn(100))
	}
	return names
}

// budgetText returns n characters of printable ASCII, spaces included but never first or
// last (a server may strip trailing whitespace).
func budgetText(env *scenario.Env, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"()[]*-+=/ "
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[env.Rand.Intn(len(alphabet))]
	}
	b[0], b[n-1] = 'x', 'y'
	return string(b)
}

// budgetDial dials a client called name and reads the welcome line, which may say
// anything.
func budgetDial(env *scenario.Env, name string) (*client.Conn, error) {
	c, err := env.Dial(name)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExpectLine(client.Func("a welcome line asking for a name", func(string) bool { return true })); err != nil {
		return nil, client.WithHint(err, chatHintWelcome)
	}
	return c, nil
}

// budgetJoin connects a client, sends name as its name, and expects the presence line to
// name exactly present, and neither the newcomer nor anyone in absent.
func budgetJoin(env *scenario.Env, name string, present, absent []string) (*client.Conn, error) {
	c, err := budgetDial(env, name)
	if err != nil {
		return nil, err
	}
	if err := c.SendLine(name); err != nil {
		return nil, err
	}
	if err := budgetExpectPresence(c, present, append(append([]string{}, absent...), name), ""); err != nil {
		return nil, err
	}
	return c, nil
}

// budgetJoinAll lets the clients called names join one after another; the ones already in
// hear each newcomer. Nobody in absent may appear in a presence line.
func budgetJoinAll(env *scenario.Env, names []string, absent ...string) ([]*client.Conn, error) {
	var joined []*client.Conn
	for i, name := range names {
		c, err := budgetJoin(env, name, names[:i], append(append([]string{}, names[i+1:]...), absent...))
		if err != nil {
			return nil, err
		}
		if err := budgetExpectNotice(name, "the notice that it has entered", chatHintEntered, joined...); err != nil {
			return nil, err
		}
		joined = append(joined, c)
	}
	return joined, nil
}

// budgetPresence matches a presence line: it starts with "*", names everyone in present as
// a whole word, and nobody in absent (unless also present).
func budgetPresence(present, absent []string) client.Matcher {
	return client.Func(budgetPresenceDesc(present, absent), func(l string) bool { return budgetPresenceProblem(l, present, absent) == "" })
}

func budgetPresenceDesc(present, absent []string) string {
	desc := "the presence line: a line starting with \"*\" that names nobody (the room was empty)"
	if len(present) > 0 {
		desc = "the presence line: a line starting with \"*\" that names exactly " + nameList(present)
	}
	return desc
}

// budgetPresenceProblem says what is wrong with line as a presence line, or "" if nothing.
func budgetPresenceProblem(line string, present, absent []string) string {
	if !strings.HasPrefix(line, "*") {
		return "it does not start with \"*\""
	}
	words := budgetWords(line)
	in := map[string]bool{}
	var missing, extra []string
	for _, name := range present {
		in[name] = true
		if !words[name] {
			missing = append(missing, name)
		}
	}
	for _, name := range absent {
		if words[name] && !in[name] {
			extra = append(extra, name)
		}
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, "it leaves out "+nameList(missing))
	}
	if len(extra) > 0 {
		problems = append(problems, "it names "+nameList(extra)+", who is not in the room")
	}
	return strings.Join(problems, ", and ")
}

// budgetExpectPresence reads c's next line and requires it to be the presence line; a
// wrong one is reported with what is wrong with it, and the hint (chatHintPresence if
// empty).
func budgetExpectPresence(c *client.Conn, present, absent []string, hint string) error {
	if hint == "" {
		hint = chatHintPresence
	}
	desc := budgetPresenceDesc(present, absent)
	line, err := c.ExpectLine(client.Func(desc, func(string) bool { return true }))
	if err != nil {
		return client.WithHint(err, hint)
	}
	if problem := budgetPresenceProblem(line, present, absent); problem != "" {
		return &client.Error{Client: c.Name(), Want: desc, Got: "the line " + client.Quote(line+"\n", 200) + ": " + problem, Hint: hint}
	}
	return nil
}

// budgetNotice matches a notice about name: a line starting with "*" that contains name
// as a whole word. what says which notice, for messages.
func budgetNotice(name, what string) client.Matcher {
	return client.Func(fmt.Sprintf("a line starting with \"*\" that names %s (%s)", name, what),
		func(l string) bool { return strings.HasPrefix(l, "*") && budgetWords(l)[name] })
}

// budgetExpectNotice requires the next line of each of cs to be a notice about name.
func budgetExpectNotice(name, what, hint string, cs ...*client.Conn) error {
	for _, c := range cs {
		if _, err := c.ExpectLine(budgetNotice(name, what)); err != nil {
			return client.WithHint(err, hint)
		}
	}
	return nil
}

// budgetSay sends text from one member and requires it to be the next line of each of to.
func budgetSay(from *client.Conn, text, hint string, to ...*client.Conn) error {
	if err := from.SendLine(text); err != nil {
		return err
	}
	for _, c := range to {
		if err := budgetExpectSaid(c, from.Name(), text, hint); err != nil {
			return err
		}
	}
	return nil
}

// budgetExpectSaid requires c's next line to be "[from] text". If c got its own line
// instead, the hint says so.
func budgetExpectSaid(c *client.Conn, from, text, hint string) error {
	line, err := c.ExpectLine(client.Exact("[" + from + "] " + text))
	if err != nil && strings.HasPrefix(line, "["+c.Name()+"] ") {
		return client.WithHint(err, chatHintEcho)
	}
	if hint == "" {
		hint = chatHintRelay
	}
	return client.WithHint(err, hint)
}

// budgetExpectRefused requires the server to close c, after at most one line: Budget Chat
// lets a server explain why before it closes, or close at once. A first line that names
// everyone in the room (members) looks like a presence line, and is reported as such.
func budgetExpectRefused(c *client.Conn, why string, members []string, hint string) error {
	want := "the server to close the connection, at most after one line saying why (" + why + ")"
	line, err := c.ExpectLine(client.Func(want, func(string) bool { return true }))
	if err != nil {
		if c.Closed() {
			return nil
		}
		return client.WithHint(err, hint)
	}
	if len(members) > 0 && budgetPresenceProblem(line, members, nil) == "" {
		return &client.Error{Client: c.Name(), Want: want,
			Got: "the line " + client.Quote(line+"\n", 200) + ", which looks like the presence line: the server let the client join", Hint: hint}
	}
	return client.WithHint(c.ExpectClosed(), hint)
}

var budgetWordRE = regexp.MustCompile(`[A-Za-z0-9]+`)

// budgetWordList returns the words of line in order: the runs of letters and digits.
func budgetWordList(line string) []string { return budgetWordRE.FindAllString(line, -1) }

// budgetWords returns the set of words of line.
func budgetWords(line string) map[string]bool {
	words := map[string]bool{}
	for _, w := range budgetWordList(line) {
		words[w] = true
	}
	return words
}

// nameList joins names for a message: "a, b and c".
func nameList(names []string) string {
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// nameListShort sorts names and joins them for a message, naming at most eight.
func nameListShort(names []string) string {
	sort.Strings(names)
	if len(names) > 8 {
		names = append(names[:7:7], fmt.Sprintf("%d others", len(names)-7))
	}
	return nameList(names)
}

// without returns names without its i-th element.
func without(names []string, i int) []string {
	return append(append([]string{}, names[:i]...), names[i+1:]...)
}
