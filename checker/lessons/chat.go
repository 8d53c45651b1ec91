package lessons

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// The chat steps of lessons 05 to 10, which know our protocol's exact strings
// (docs/protocol.md). Lesson 04 holds any Budget Chat server to the public spec instead,
// whatever its wording, so it has steps of its own: the budget* steps in chat_budget.go.

// Lines of the chat protocol (docs/protocol.md).
const (
	welcomeLine    = "Welcome to budgetchat! What shall I call you?"
	badNameLine    = "* Sorry, names are 1 to 32 letters or digits."
	presencePrefix = "* The room contains: "
	byeLine        = "* Bye!"
	fullLine       = "* Sorry, the server is full. Try again later."
	goodbyeLine    = "* The server is shutting down. Goodbye!"
)

func takenLine(name string) string       { return "* Sorry, the name " + name + " is taken." }
func enteredLine(name string) string     { return "* " + name + " has entered the room" }
func leftLine(name string) string        { return "* " + name + " has left the room" }
func leftTooSlowLine(name string) string { return leftLine(name) + " (too slow)" }
func saidLine(name, text string) string  { return "[" + name + "] " + text }
func privateLine(from, text string) string {
	return "[" + from + " (private)] " + text
}
func nowInLine(room string) string { return "* You are now in " + room }
func tooLongLine(n int) string     { return fmt.Sprintf("* Sorry, lines are at most %d bytes.", n) }
func slowDownLine(rate int) string {
	return fmt.Sprintf("* Slow down: at most %d lines per second. Your line was dropped.", rate)
}

// presenceLine is the presence line that lists others, sorted.
func presenceLine(others ...string) string {
	return presencePrefix + strings.Join(slices.Sorted(slices.Values(others)), ", ")
}

// saidLines is how texts from name reach the others.
func saidLines(name string, texts []string) []string {
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = saidLine(name, t)
	}
	return out
}

// whoReply is the reply to /who: the members of room, sorted.
func whoReply(room string, members ...string) string {
	return "* In " + room + ": " + strings.Join(slices.Sorted(slices.Values(members)), ", ")
}

// roomsReply is the reply to /rooms: every room with members, and the lobby, each with
// its count, sorted by name.
func roomsReply(counts map[string]int) string {
	names := []string{"lobby"}
	for name, n := range counts {
		if name != "lobby" && n > 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s (%d)", name, counts[name])
	}
	return "* Rooms: " + strings.Join(parts, ", ")
}

// noRateLimit are the flags of a rate limit that no scenario reaches. The protocol's
// "-rate 0" would say it better, but the runner takes a bare "0" for a duration and
// passes "0s" instead when it scales durations.
func noRateLimit() []string { return []string{"-rate", "100000", "-burst", "100000"} }

// dial connects a client called name and waits for the welcome line.
func dial(env *scenario.Env, name string) (*client.Conn, error) {
	c, err := env.Dial(name)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExpectLine(client.Exact(welcomeLine)); err != nil {
		return nil, client.WithHint(err, "every new client is greeted with the welcome line first")
	}
	return c, nil
}

// join dials a client called name, expects the welcome, sends the name, and expects the
// presence line to list exactly others.
func join(env *scenario.Env, name string, others ...string) (*client.Conn, error) {
	c, err := dial(env, name)
	if err != nil {
		return nil, err
	}
	if err := c.SendLine(name); err != nil {
		return nil, err
	}
	if _, err := c.ExpectLine(client.Exact(presenceLine(others...))); err != nil {
		return nil, client.WithHint(err, "a newcomer is first told who else is in the room: exactly the others, sorted, joined with \", \"")
	}
	return c, nil
}

// joinAll joins names to the lobby one after another. Each one checks its presence
// line, and everyone already there reads the entered notice, so afterwards every client
// has read everything sent to it.
func joinAll(env *scenario.Env, names ...string) ([]*client.Conn, error) {
	var conns []*client.Conn
	for i, name := range names {
		c, err := join(env, name, names[:i]...)
		if err != nil {
			return nil, err
		}
		if err := expectEach(conns, enteredLine(name)); err != nil {
			return nil, err
		}
		conns = append(conns, c)
	}
	return conns, nil
}

// fillGuests connects n clients called prefix-1 ... prefix-n that wait at the name
// prompt, a few at a time, and returns them once each has had its welcome line.
func fillGuests(env *scenario.Env, prefix string, n int) ([]*client.Conn, error) {
	conns := make([]*client.Conn, n)
	var g errgroup.Group
	g.SetLimit(8)
	for i := range conns {
		g.Go(func() error {
			c, err := dial(env, fmt.Sprintf("%s-%d", prefix, i+1))
			conns[i] = c
			return err
		})
	}
	return conns, g.Wait()
}

// dialRetry dials name until it gets the welcome line instead of the full line.
//
// A slot is released when the closed connection's goroutine ends, which happens a moment
// after the client has seen the connection close, and no line tells the checker when.
// So a refusal right after a close is not yet a failure: the client tries again, pausing
// a little more each time, until env.Step() has passed. The pauses pace the attempts;
// each attempt is a complete exchange with the server.
func dialRetry(env *scenario.Env, name string) (*client.Conn, error) {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		c, err := env.Dial(name)
		if err != nil {
			return nil, err
		}
		line, err := c.ReadLine()
		if err != nil {
			return nil, client.WithHint(err, "a client that connects gets the welcome line, or the full line when the server is full")
		}
		switch line {
		case welcomeLine:
			return c, nil
		case fullLine:
			c.Release()
		default:
			return nil, client.Failf(name, "the welcome line (or the full line while a slot is being released)", "the line %s", client.Quote(line+"\n", 200))
		}
		if waited := time.Since(start); waited > env.Step() {
			return nil, &client.Error{Client: name, Want: "a free slot after four clients had left",
				Got: fmt.Sprintf("the full line on every one of %d tries", attempt), Waited: waited,
				Hint: "step 1: a slot must be released when the connection ends, whatever the reason (a close before joining, /quit, a reset, a line too long): " +
					"call s.slots.Release(1) exactly once, where handle ends"}
		}
		time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
	}
}

// expectFull dials a client that must be refused: the full line, then the close.
func expectFull(env *scenario.Env, name string) (*client.Conn, error) {
	c, err := env.Dial(name)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExpectLine(client.Exact(fullLine)); err != nil {
		return nil, err
	}
	return c, client.WithHint(c.ExpectClosed(), "after the full line the server closes the connection; the refused client never gets the welcome")
}

// expect expects lines, in this order, as the next lines of c.
func expect(c *client.Conn, lines ...string) error {
	for _, l := range lines {
		if _, err := c.ExpectLine(client.Exact(l)); err != nil {
			return err
		}
	}
	return nil
}

// ask sends line from c and expects replies, in this order, as its next lines.
func ask(c *client.Conn, line string, replies ...string) error {
	if err := c.SendLine(line); err != nil {
		return err
	}
	return expect(c, replies...)
}

// expectEach expects line to be the next line of every client in cs, concurrently.
func expectEach(cs []*client.Conn, line string) error {
	var g errgroup.Group
	for _, c := range cs {
		g.Go(func() error {
			_, err := c.ExpectLine(client.Exact(line))
			return err
		})
	}
	return g.Wait()
}

// refuseName sends name from c, which has had its welcome line, and expects the refusal
// reply, then the close.
func refuseName(c *client.Conn, name, reply string) error {
	if err := ask(c, name, reply); err != nil {
		return err
	}
	return client.WithHint(c.ExpectClosed(), "after refusing a name the server closes the connection")
}

// quit sends /quit from c and expects the goodbye of /quit, then the close.
func quit(c *client.Conn) error {
	if err := ask(c, "/quit", byeLine); err != nil {
		return err
	}
	return client.WithHint(c.ExpectClosed(), "after `* Bye!` the server closes the connection")
}

// expectClosedAfterAll reads and discards up to limit lines that the server had already
// sent c, then expects the server to have closed the connection. A last partial line
// (the server stopped in the middle of a write) is fine.
func expectClosedAfterAll(c *client.Conn, limit int) error {
	// The stalled client's receive buffer was made small; a small window would make
	// the server's backlog trickle in, one delayed acknowledgement at a time.
	_ = c.SetReadBuffer(1 << 20)
	for range limit {
		if _, err := c.ReadLine(); err != nil {
			if c.Closed() {
				return nil
			}
			var e *client.Error
			if errors.As(err, &e) {
				e.Want = "the server to close the connection (after the lines it had already sent)"
				e.Got = "nothing more, and the connection stayed open"
			}
			return err
		}
	}
	return client.Failf(c.Name(), "the server to close the connection", "%d lines and still more", limit)
}

// randomWords returns about n bytes of random words from the scenario's seeded source:
// random, so that a lost or mangled line shows, and words, so that a transcript stays
// readable.
func randomWords(env *scenario.Env, n int) string {
	words := []string{"tea", "queue", "socket", "buffer", "slow", "reader", "writer", "line",
		"room", "chat", "drain", "select", "default", "channel", "byte", "window", "kernel", "go"}
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[env.Rand.Intn(len(words))])
	}
	return strings.TrimRight(b.String()[:n], " ")
}

// letters returns n random lower-case letters from the scenario's seeded source.
func letters(env *scenario.Env, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(env.Rand.Intn(26))
	}
	return string(b)
}

// quoteEach quotes every line, for a message.
func quoteEach(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = client.Quote(l, 80)
	}
	return out
}

// exactBudgetChat is Budget Chat in one room, as in lesson 04 but with our exact
// strings: the regression scenario of lessons 05 to 07 (and so 10), for a client that
// never sends a command.
func exactBudgetChat(env *scenario.Env) error {
	c, err := joinAll(env, "alice", "bob")
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	if err := bob.SendLine("hello alice"); err != nil {
		return err
	}
	if err := expect(alice, saidLine("bob", "hello alice")); err != nil {
		return err
	}
	// An empty line is ignored, and nobody hears their own message: alice's next line
	// must be the next thing bob gets.
	if err := alice.Send("\nhi bob\n"); err != nil {
		return err
	}
	if err := expect(bob, saidLine("alice", "hi bob")); err != nil {
		return client.WithHint(err, "a message goes to every other member, never back to its sender, and an empty line is ignored")
	}

	bad, err := dial(env, "badname")
	if err != nil {
		return err
	}
	if err := refuseName(bad, "no spaces allowed", badNameLine); err != nil {
		return err
	}
	dup, err := dial(env, "taken")
	if err != nil {
		return err
	}
	if err := refuseName(dup, "alice", takenLine("alice")); err != nil {
		return err
	}

	// A name line ending in "\r\n" is fine, and the two refused clients are not members.
	carol, err := dial(env, "carol")
	if err != nil {
		return err
	}
	if err := carol.Send("carol\r\n"); err != nil {
		return err
	}
	if err := expect(carol, presenceLine("alice", "bob")); err != nil {
		return err
	}
	if err := expectEach([]*client.Conn{alice, bob}, enteredLine("carol")); err != nil {
		return err
	}
	if err := bob.Close(); err != nil {
		return err
	}
	return expectEach([]*client.Conn{alice, carol}, leftLine("bob"))
}
