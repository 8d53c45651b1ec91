package lessons

import (
	"strconv"
	"strings"
	"time"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// linesMax is lesson 02's line limit in bytes, not counting the line ending.
const linesMax = 4096

// linesTooLong is the error line for a line over the limit.
const linesTooLong = "ERR line too long (max 4096 bytes)"

// lines is lesson 02: line framing with bufio, on a small command protocol.
func lines() scenario.Lesson {
	return scenario.Lesson{
		Number: 2, Slug: "02-lines", Title: "lines",
		Scenarios: []scenario.Scenario{
			{Name: "one-command", Doc: "each command line gets its reply line; command words are case-insensitive", Run: linesOneCommand,
				Hint: `step 1: readLine must return each line without its "\n": in.ReadSlice('\n') reads up to and including the "\n"`},
			{Name: "pipelined", Doc: "eight commands sent in one write are answered in order", Run: linesPipelined,
				Hint: "step 1: one Read may carry many lines; the bufio.Reader keeps what is left after the first \"\\n\" for the next readLine, so answer one line per readLine"},
			{Name: "split-line", Doc: "a line that arrives in pieces is answered once whole, and a whole line is answered without waiting for the next", Run: linesSplit,
				Hint: "step 1: one Read may return part of a line; ReadSlice keeps reading until the \"\\n\" comes"},
			{Name: "crlf", Doc: `lines ending in "\r\n" are read like lines ending in "\n"`, Run: linesCRLF,
				Hint: `step 1: clients such as nc -C, telnet and Windows programs end lines with "\r\n": remove the "\r" before the "\n" too`},
			{Name: "long-line", Doc: "lines of 1000 and of exactly 4096 bytes are answered", Run: linesLong,
				Hint: `step 2: a line may be 4096 bytes plus its "\r\n", and ReadSlice can only return what fits in the reader's buffer: make it maxLine+2 bytes with bufio.NewReaderSize (bufio.NewReader's default is 4096)`},
			{Name: "over-limit", Doc: "a line over 4096 bytes is answered with an error line and a close, without waiting for its end", Run: linesOverLimit,
				Hint: "step 2: when ReadSlice returns bufio.ErrBufferFull, answer " + client.Quote(linesTooLong, 0) + " and close the connection"},
			{Name: "unknown-command", Doc: "an unknown command gets an error line, and the connection stays usable", Run: linesUnknown,
				Hint: `step 3: an unknown command word, the empty line included, gets ERR unknown command "WORD" with the word as sent, and the session goes on`},
			{Name: "quit", Doc: "QUIT is answered with BYE, then the server closes the connection", Run: linesQuit,
				Hint: "step 3: QUIT answers BYE and ends the session: handle returns, and its deferred conn.Close() closes the connection"},
		},
	}
}

// linesAsk sends one command line and waits for exactly want in reply. hint is the likely
// cause if the reply is wrong or does not come.
func linesAsk(c *client.Conn, line, want, hint string) error {
	if err := c.SendLine(line); err != nil {
		return err
	}
	_, err := c.ExpectLine(client.Exact(want))
	return client.WithHint(err, hint)
}

// linesExpectAll waits for the replies in want, in order.
func linesExpectAll(c *client.Conn, want []string, hint string) error {
	for _, w := range want {
		if _, err := c.ExpectLine(client.Exact(w)); err != nil {
			return client.WithHint(err, hint)
		}
	}
	return nil
}

// linesWord returns n random lower-case letters from the scenario's seeded source.
func linesWord(env *scenario.Env, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(env.Rand.Intn(26))
	}
	return string(b)
}

func linesOneCommand(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	for _, x := range []struct{ send, want string }{
		{"UPPER hello, world", "HELLO, WORLD"},
		{"LEN hello", "5"},
		{"PING", "PONG"},
		{"upper Mixed Case 123", "MIXED CASE 123"},
		{"Len two  spaces", "11"},
		{"ping", "PONG"},
	} {
		if err := linesAsk(alice, x.send, x.want, ""); err != nil {
			return err
		}
	}
	return nil
}

func linesPipelined(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	var batch strings.Builder
	var want []string
	for i := 0; i < 4; i++ {
		w := linesWord(env, 3+env.Rand.Intn(12))
		batch.WriteString("UPPER " + w + "\n")
		want = append(want, strings.ToUpper(w))
		w = linesWord(env, 1+env.Rand.Intn(30))
		batch.WriteString("LEN " + w + "\n")
		want = append(want, strconv.Itoa(len(w)))
	}
	if err := alice.Send(batch.String()); err != nil {
		return err
	}
	return linesExpectAll(alice, want,
		"step 1: all eight lines came in one write, so one Read returned them all: answer them one by one, in order")
}

func linesSplit(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	w := linesWord(env, 8)
	if err := alice.Trickle("UPPER "+w+"\n", 1, time.Millisecond); err != nil {
		return err
	}
	if _, err := alice.ExpectLine(client.Exact(strings.ToUpper(w))); err != nil {
		return client.WithHint(err, "step 1: the line came one byte per write: a Read that returns one byte is not a line; read on until the \"\\n\"")
	}

	// Three lines in pieces of three bytes: the cuts fall inside words and between a
	// "\n" and the next line.
	if err := alice.Trickle("PING\nLEN abcdef\nUPPER split\n", 3, time.Millisecond); err != nil {
		return err
	}
	if err := linesExpectAll(alice, []string{"PONG", "6", "SPLIT"},
		"step 1: the lines came in pieces of three bytes, cut anywhere: each line is whatever arrives up to its \"\\n\""); err != nil {
		return err
	}

	// One whole line and the start of the next, in one write: the whole line must be
	// answered now, because this client waits for the reply before it finishes the next.
	if err := alice.Send("PING\nLEN ab"); err != nil {
		return err
	}
	if _, err := alice.ExpectLine(client.Exact("PONG")); err != nil {
		return client.WithHint(err, `step 1: we sent "PING\n" and the start of the next line, and wait for PONG before sending the rest: `+
			"flush the replies when no whole line is buffered (a partial one may be), not only when nothing is buffered")
	}
	if err := alice.SendLine("cd"); err != nil {
		return err
	}
	_, err = alice.ExpectLine(client.Exact("4"))
	return client.WithHint(err, `step 1: "LEN ab" and "cd\n" came in two writes and make one line, "LEN abcd"`)
}

func linesCRLF(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	hint := `step 1: a line ending in "\r\n" must lose both bytes; a "\r" left on the line is part of the command or its argument`
	for _, x := range []struct{ send, want string }{
		{"UPPER windows\r", "WINDOWS"},
		{"LEN abc\r", "3"},
		{"PING\r", "PONG"},
		{"LEN a\rb\r", "3"}, // only the "\r" just before the "\n" belongs to the line ending
	} {
		if err := linesAsk(alice, x.send, x.want, hint); err != nil {
			return err
		}
	}
	if err := alice.Send("PING\r\nLEN xy\nUPPER mixed\r\n"); err != nil {
		return err
	}
	return linesExpectAll(alice, []string{"PONG", "2", "MIXED"}, hint)
}

func linesLong(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	w := linesWord(env, 1000-len("UPPER "))
	if err := linesAsk(alice, "UPPER "+w, strings.ToUpper(w), "a line of 1000 bytes is well within the limit of 4096"); err != nil {
		return err
	}
	// Exactly the limit, with the longer of the two line endings.
	w = linesWord(env, linesMax-len("UPPER "))
	if err := linesAsk(alice, "UPPER "+w+"\r", strings.ToUpper(w), "step 2: this line was exactly 4096 bytes and \"\\r\\n\", which the limit allows. "+
		"ReadSlice can only return a line that fits in the reader's buffer, so the buffer must hold 4098 bytes: "+
		"bufio.NewReaderSize(conn, maxLine+2) (bufio.NewReader's default is 4096)"); err != nil {
		return err
	}
	w = linesWord(env, linesMax-len("LEN "))
	return linesAsk(alice, "LEN "+w, strconv.Itoa(len(w)), "step 2: this line was exactly 4096 bytes and \"\\n\", which the limit allows")
}

func linesOverLimit(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	// Well over the limit, and no "\n" at all: a server that waits for the end of the line
	// before judging its length waits forever, holding everything it has read.
	if err := alice.Send("UPPER " + linesWord(env, 10_000)); err != nil {
		return err
	}
	if _, err := alice.ExpectLine(client.Exact(linesTooLong)); err != nil {
		return client.WithHint(err, "step 2: we sent 10006 bytes and no \"\\n\": after 4098 bytes the server knows the line is too long, "+
			"so it must answer then, without waiting for the \"\\n\". bufio.Reader.ReadSlice stops with bufio.ErrBufferFull; "+
			"ReadString, ReadBytes and a bufio.Scanner with its default 64 KiB limit keep reading")
	}
	if err := alice.ExpectClosed(); err != nil {
		return client.WithHint(err, "step 2: after the error line the server must close the connection: the rest of the line may never end")
	}
	bob, err := env.Dial("bob")
	if err != nil {
		return err
	}
	return linesAsk(bob, "PING", "PONG", "one client's long line must not stop the server serving others")
}

func linesUnknown(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	for _, x := range []struct{ send, want, hint string }{
		{"FROB 1 2 3", `ERR unknown command "FROB"`, ""},
		{"PING", "PONG", "step 3: after an unknown command the connection must stay open and usable"},
		{"", `ERR unknown command ""`, "step 3: an empty line is a command too: an unknown one, with the empty word"},
		{"frob", `ERR unknown command "frob"`, "step 3: the word goes back as it was sent, not upper-cased"},
		{`FR"OB\x`, `ERR unknown command "FR"OB\x"`, "step 3: the word goes back exactly as it was sent, between plain quotes: no escaping (not %q)"},
		{"UPPER still here", "STILL HERE", "step 3: after an unknown command the connection must stay open and usable"},
	} {
		if err := linesAsk(alice, x.send, x.want, x.hint); err != nil {
			return err
		}
	}
	return nil
}

func linesQuit(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	if err := linesAsk(alice, "PING", "PONG", ""); err != nil {
		return err
	}
	if err := linesAsk(alice, "quit", "BYE", "step 3: QUIT answers BYE, whatever its case (\"quit\" too), then the server closes the connection"); err != nil {
		return err
	}
	if err := alice.ExpectClosed(); err != nil {
		return client.WithHint(err, "step 3: after BYE the server must close the connection")
	}

	// QUIT right behind another command: both replies must get out before the close.
	bob, err := env.Dial("bob")
	if err != nil {
		return err
	}
	if err := bob.Send("PING\nQUIT\n"); err != nil {
		return err
	}
	if err := linesExpectAll(bob, []string{"PONG", "BYE"},
		"replies still waiting in a bufio.Writer are lost unless it is flushed before the connection closes"); err != nil {
		return err
	}
	return client.WithHint(bob.ExpectClosed(), "step 3: after BYE the server must close the connection")
}
