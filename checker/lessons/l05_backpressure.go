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

// backpressure is lesson 05: a member that stops reading is disconnected instead of
// slowing the room down.
func backpressure() scenario.Lesson {
	return scenario.Lesson{
		Number: 5, Slug: "05-backpressure", Title: "slow readers and backpressure",
		// A short queue, so that a member that never reads overflows it soon after its
		// socket buffers are full.
		Flags: []string{"-queue", fmt.Sprint(bpQueue)},
		Scenarios: []scenario.Scenario{
			{Name: "stalled-reader", Doc: "while one member never reads, everyone else's messages keep arriving, complete and in order",
				Run: bpStalledReader, Timeout: 60 * time.Second,
				Hint: "step 1: delivering a line must never wait for its recipient: when a member's queue is full, do not block (select with a default case)"},
			{Name: "too-slow-dropped", Doc: "a member whose queue overflows is disconnected, and the room is told once",
				Run: bpTooSlowDropped, Timeout: 60 * time.Second,
				Hint: "step 2: a member whose queue is full is too slow: close its connection, and when it leaves tell the room `* NAME has left the room (too slow)`"},
			{Name: "two-stalled", Doc: "two members that never read are both dropped, and nobody else loses a line",
				Run: bpTwoStalled, Timeout: 60 * time.Second,
				Hint: "step 2: every member whose queue is full must be dropped, and every other member must still get every line"},
			{Name: "budget-chat", Doc: "everything of lesson 04 still works: joining, talking, leaving, bad and taken names",
				Run:  roomBudgetChat,
				Hint: "lesson 04's behaviour must not change: only a member whose queue is full is treated differently"},
		},
	}
}

// The traffic of the flood scenarios. A member that never reads overflows once the
// server's socket send buffer (up to 4 MB on Linux, where it grows by itself), its own
// receive buffer and bpQueue lines are full, so the talkers send a few megabytes of long
// lines. They go in rounds: each talker sends bpPerRound lines, then reads everything
// the other talkers sent in that round. So a healthy member is never more than one round
// behind, 2*bpPerRound lines, well inside its queue of bpQueue: a correct server has no
// reason to drop it, however slowly the checker is scheduled.
const (
	bpQueue    = 32   // the server's -queue
	bpPerRound = 6    // lines each talker sends per round
	bpLineLen  = 3900 // bytes of text in each line, under the 4096-byte limit

	// How much the flood sends to each stalled member at most: twice, then four times,
	// what Linux's buffers hold. Enough to stall a room whose delivery blocks, and for a
	// correct server to drop the member; on loopback it takes a second or two.
	bpMaxFlow = 8 << 20
	bpMaxDrop = 16 << 20
)

func bpStalledReader(env *scenario.Env) error {
	f, err := bpSetup(env, "stalled")
	if err != nil {
		return err
	}
	// Without step 2 nobody is dropped: the flood then runs to its end, and all that
	// counts here is that the others kept talking.
	f.maxBytes = bpMaxFlow
	_, err = f.run(env)
	return err
}

func bpTooSlowDropped(env *scenario.Env) error {
	f, err := bpSetup(env, "stalled")
	if err != nil {
		return err
	}
	if err := bpFloodUntilDropped(env, f); err != nil {
		return err
	}
	// The room forgot the member: its name is free, and a newcomer is not told of it.
	if _, err := roomJoin(env, "stalled", f.names...); err != nil {
		return client.WithHint(err, "after `* stalled has left the room (too slow)` the name stalled must be free and gone from the room: remove the member from the room when you drop it")
	}
	return roomExpectEach(f.talkers, roomEntered("stalled"))
}

func bpTwoStalled(env *scenario.Env) error {
	f, err := bpSetup(env, "slow1", "slow2")
	if err != nil {
		return err
	}
	return bpFloodUntilDropped(env, f)
}

// bpSetup joins three talkers, then the members that never read: they send their names
// and never read a byte, with a small receive buffer. It returns the flood that the
// scenario then runs.
func bpSetup(env *scenario.Env, stalled ...string) (*roomFlood, error) {
	names := []string{"ann", "bea", "cal"}
	f := &roomFlood{names: names, stalled: stalled, perRound: bpPerRound}
	for i, name := range names {
		c, err := roomJoin(env, name, names[:i]...)
		if err != nil {
			return nil, err
		}
		for _, earlier := range f.talkers {
			if _, err := earlier.ExpectLine(client.Exact(roomEntered(name))); err != nil {
				return nil, err
			}
		}
		f.talkers = append(f.talkers, c)
		f.filler = append(f.filler, roomRandomText(env, bpLineLen))
	}
	for _, name := range stalled {
		c, err := env.Dial(name)
		if err != nil {
			return nil, err
		}
		if err := c.SetReadBuffer(4096); err != nil {
			return nil, err
		}
		if err := c.SendLine(name); err != nil {
			return nil, err
		}
		env.Note("%s has sent its name and will read nothing from now on", name)
		f.stalledConns = append(f.stalledConns, c)
		if err := roomExpectEach(f.talkers, roomEntered(name)); err != nil {
			return nil, err
		}
		f.notices = append(f.notices, roomLeftTooSlow(name))
	}
	return f, nil
}

// bpFloodUntilDropped floods the room until every talker has been told that every
// stalled member left as too slow, then expects each stalled connection to be closed.
func bpFloodUntilDropped(env *scenario.Env, f *roomFlood) error {
	f.maxBytes = bpMaxDrop
	told, err := f.run(env)
	if err != nil {
		return err
	}
	if !told {
		return client.WithHint(client.Failf(f.names[0], "every talker to be told "+strings.Join(quoteEach(f.notices), " and "),
			"none of it after %d MB of messages for %s, which read none of them", f.maxBytes>>20, strings.Join(f.stalled, " and ")),
			"the server never gave up on a member that does not read: its queue must be bounded (-queue lines), and a member whose queue is full must be disconnected")
	}
	for _, c := range f.stalledConns {
		if err := roomExpectClosedAfterAll(c, 2*f.maxBytes/bpLineLen); err != nil {
			return client.WithHint(err, "the room said "+c.Name()+" left as too slow, but its connection stayed open: close the connection of a member you drop, or its goroutines and socket live on")
		}
	}
	return nil
}

// roomFlood is a room where talkers send long lines in rounds while some members never
// read. Every line reaches the stalled members too, until the server drops them.
type roomFlood struct {
	talkers      []*client.Conn
	names        []string // the talkers' names
	filler       []string // per talker: the random text that pads its lines
	perRound     int      // lines each talker sends per round
	stalled      []string // members that never read
	stalledConns []*client.Conn
	notices      []string // lines every talker must get once, at any point: the drop notices
	maxBytes     int      // the flood stops once this much was sent to each stalled member

	// Once paceAfter bytes were sent to each stalled member, the talkers pause for pace
	// between rounds: for a server that needs time, not data, to drop a member.
	paceAfter int
	pace      time.Duration
	// flowHint, if set, replaces bpFlowHint to explain a talker that got the wrong lines.
	flowHint func(err error, sent int) error
}

// run floods the room until every talker has seen every notice (and one more round has
// shown that none comes twice) or until maxBytes were sent to each stalled member. Every
// talker must get every other talker's lines, complete and in order, each round within a
// step. It reports whether every talker saw every notice.
func (f *roomFlood) run(env *scenario.Env) (bool, error) {
	seen := make([]map[string]bool, len(f.talkers))
	for i := range seen {
		seen[i] = map[string]bool{}
	}
	told := func() bool {
		for _, s := range seen {
			if len(s) < len(f.notices) {
				return false
			}
		}
		return true
	}
	sent, extra := 0, 0
	env.Note("flooding: %d talkers send %d lines of %d bytes per round, in rounds, until the room is told %s",
		len(f.talkers), f.perRound, bpLineLen, strings.Join(f.notices, " and "))
	for round := 1; sent < f.maxBytes; round++ {
		if told() {
			if extra == 1 {
				break
			}
			extra++
		}
		lines := make([][]string, len(f.talkers)) // what each talker says this round
		for i, name := range f.names {
			for k := 1; k <= f.perRound; k++ {
				text := fmt.Sprintf("%s r%d.%d %s", name, round, k, f.filler[i])
				lines[i] = append(lines[i], text)
				sent += len(roomSaid(name, text)) + 1
			}
		}
		var g errgroup.Group
		for i, c := range f.talkers {
			g.Go(func() error {
				if err := c.Send(strings.Join(lines[i], "\n") + "\n"); err != nil {
					return err
				}
				want := roomWant{}
				for j, name := range f.names {
					if j != i {
						want.seqs = append(want.seqs, roomSaidAll(name, lines[j]))
					}
				}
				for _, n := range f.notices {
					if !seen[i][n] {
						want.optional = append(want.optional, n)
					}
				}
				got, err := want.read(c)
				for _, n := range got {
					seen[i][n] = true
				}
				return err
			})
		}
		if err := g.Wait(); err != nil {
			if f.flowHint != nil {
				return false, f.flowHint(err, sent)
			}
			return false, bpFlowHint(err, f.stalled, sent)
		}
		if f.pace > 0 && sent >= f.paceAfter {
			time.Sleep(f.pace) // pacing the talkers, not waiting for anything
		}
	}
	env.Note("flood over: %d KB were sent to each of %s", sent>>10, strings.Join(f.stalled, ", "))
	return told(), nil
}

// bpFlowHint explains a talker that stopped getting lines, or got the wrong ones.
func bpFlowHint(err error, stalled []string, sent int) error {
	var e *client.Error
	if !errors.As(err, &e) || e.Hint != "" {
		return err
	}
	who := strings.Join(stalled, " and ")
	if strings.HasPrefix(e.Got, "nothing") || strings.HasPrefix(e.Got, "only") {
		e.Hint = fmt.Sprintf("step 1: the room went quiet after about %d KB of messages had been sent to %s, which reads nothing: "+
			"delivering a line waited for a member whose queue (or socket) was full, and so every sender waited too. "+
			"Delivery must never block: when a member's queue is full, do not wait (select with a default case)", sent>>10, who)
		return err
	}
	e.Hint = "a healthy member must get every line, in order, however slow " + who + " is: drop the slow member, never a line meant for someone else"
	return err
}

// roomWant is what one client must receive next: several sequences of lines, each in its
// own order but interleaved in any way with the others (the messages of different
// senders, say), and optional lines that may come at most once each, anywhere.
type roomWant struct {
	seqs     [][]string
	optional []string
	// explain, if set, says why an unexpected line is wrong, as a hint for the learner.
	explain func(line string) string
}

// read reads lines until every sequence has arrived. It fails on the first line that is
// neither the next line of a sequence nor an optional line not yet seen, and returns the
// optional lines that came.
func (w roomWant) read(c *client.Conn) ([]string, error) {
	next := make([]int, len(w.seqs))
	due := 0
	for _, s := range w.seqs {
		due += len(s)
	}
	optional := append([]string(nil), w.optional...)
	var came []string
	for due > 0 {
		desc := w.describe(next, due)
		line, err := c.ExpectLine(client.Func(desc, func(string) bool { return true }))
		if err != nil {
			return came, err
		}
		matched := false
		for i, s := range w.seqs {
			if next[i] < len(s) && s[next[i]] == line {
				next[i]++
				due--
				matched = true
				break
			}
		}
		for i, o := range optional {
			if !matched && o == line {
				came = append(came, o)
				optional = append(optional[:i], optional[i+1:]...)
				matched = true
				break
			}
		}
		if !matched {
			e := &client.Error{Client: c.Name(), Want: desc, Got: "the line " + client.Quote(line+"\n", 120),
				Detail: w.diagnose(next, came, line)}
			if w.explain != nil {
				e.Hint = w.explain(line)
			}
			return came, e
		}
	}
	return came, nil
}

// describe says what read still waits for: the next line of each sequence.
func (w roomWant) describe(next []int, due int) string {
	var heads []string
	for i, s := range w.seqs {
		if next[i] < len(s) {
			heads = append(heads, client.Quote(s[next[i]], 70))
		}
	}
	more := ""
	if len(heads) > 4 {
		more = fmt.Sprintf(" and %d more", len(heads)-4)
		heads = heads[:4]
	}
	if len(heads) == 1 && due == 1 {
		return "the line " + heads[0]
	}
	return fmt.Sprintf("%d more lines, the next of them one of %s%s", due, strings.Join(heads, ", "), more)
}

// diagnose says what an unexpected line tells about the server.
func (w roomWant) diagnose(next []int, came []string, line string) string {
	for i, s := range w.seqs {
		for k := next[i] + 1; k < len(s); k++ {
			if s[k] == line {
				return fmt.Sprintf("  this line should have come after %s, which has not: a line was lost, or lines from one sender were reordered",
					client.Quote(s[next[i]], 70))
			}
		}
		for k := 0; k < next[i]; k++ {
			if s[k] == line {
				return "  this line came twice"
			}
		}
	}
	for _, o := range came {
		if o == line {
			return "  this line came twice"
		}
	}
	return ""
}

// Lines of the chat protocol (docs/protocol.md).
const (
	roomWelcome = "Welcome to budgetchat! What shall I call you?"
	roomBadName = "* Sorry, names are 1 to 32 letters or digits."
)

func roomTaken(name string) string   { return "* Sorry, the name " + name + " is taken." }
func roomEntered(name string) string { return "* " + name + " has entered the room" }
func roomLeft(name string) string    { return "* " + name + " has left the room" }

func roomLeftTooSlow(name string) string { return roomLeft(name) + " (too slow)" }
func roomSaid(name, text string) string  { return "[" + name + "] " + text }

// roomContains is the presence line that lists others, sorted.
func roomContains(others ...string) string {
	sorted := append([]string(nil), others...)
	slices.Sort(sorted)
	return "* The room contains: " + strings.Join(sorted, ", ")
}

// roomSaidAll is how texts from name reach the others.
func roomSaidAll(name string, texts []string) []string {
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = roomSaid(name, t)
	}
	return out
}

// roomJoin dials a client called name, expects the welcome, sends the name, and expects
// the presence line to list exactly others.
func roomJoin(env *scenario.Env, name string, others ...string) (*client.Conn, error) {
	c, err := env.Dial(name)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExpectLine(client.Exact(roomWelcome)); err != nil {
		return nil, client.WithHint(err, "every client is first greeted with the welcome line")
	}
	if err := c.SendLine(name); err != nil {
		return nil, err
	}
	if _, err := c.ExpectLine(client.Exact(roomContains(others...))); err != nil {
		return nil, client.WithHint(err, "a newcomer is first told who else is in the room: exactly the others, sorted, joined with \", \"")
	}
	return c, nil
}

// roomExpectEach expects line to be the next line of every client in cs, concurrently.
func roomExpectEach(cs []*client.Conn, line string) error {
	var g errgroup.Group
	for _, c := range cs {
		g.Go(func() error {
			_, err := c.ExpectLine(client.Exact(line))
			return err
		})
	}
	return g.Wait()
}

// roomExpectClosedAfterAll reads and discards up to limit lines that the server had
// already sent c, then expects the server to have closed the connection. A last
// partial line (the server stopped in the middle of a write) is fine.
func roomExpectClosedAfterAll(c *client.Conn, limit int) error {
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

// roomRandomText returns about n bytes of random words from the scenario's seeded
// source: random, so that a lost or mangled line shows, and words, so that a transcript
// stays readable.
func roomRandomText(env *scenario.Env, n int) string {
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

func quoteEach(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = client.Quote(l, 80)
	}
	return out
}

// roomBudgetChat is Budget Chat in one room, as in lesson 04: the regression check of
// every later chat lesson, for a client that never sends a command.
func roomBudgetChat(env *scenario.Env) error {
	alice, err := roomJoin(env, "alice")
	if err != nil {
		return err
	}
	bob, err := roomJoin(env, "bob", "alice")
	if err != nil {
		return err
	}
	if _, err := alice.ExpectLine(client.Exact(roomEntered("bob"))); err != nil {
		return err
	}
	if err := bob.SendLine("hello alice"); err != nil {
		return err
	}
	if _, err := alice.ExpectLine(client.Exact(roomSaid("bob", "hello alice"))); err != nil {
		return err
	}
	// An empty line is ignored, and nobody hears their own message: alice's next line
	// must be the next thing bob gets.
	if err := alice.Send("\nhi bob\n"); err != nil {
		return err
	}
	if _, err := bob.ExpectLine(client.Exact(roomSaid("alice", "hi bob"))); err != nil {
		return client.WithHint(err, "a message goes to every other member, never back to its sender, and an empty line is ignored")
	}

	bad, err := env.Dial("badname")
	if err != nil {
		return err
	}
	if _, err := bad.ExpectLine(client.Exact(roomWelcome)); err != nil {
		return err
	}
	if err := bad.SendLine("no spaces allowed"); err != nil {
		return err
	}
	if _, err := bad.ExpectLine(client.Exact(roomBadName)); err != nil {
		return err
	}
	if err := bad.ExpectClosed(); err != nil {
		return err
	}
	dup, err := env.Dial("taken")
	if err != nil {
		return err
	}
	if _, err := dup.ExpectLine(client.Exact(roomWelcome)); err != nil {
		return err
	}
	if err := dup.SendLine("alice"); err != nil {
		return err
	}
	if _, err := dup.ExpectLine(client.Exact(roomTaken("alice"))); err != nil {
		return err
	}
	if err := dup.ExpectClosed(); err != nil {
		return err
	}

	// A name line ending in "\r\n" is fine, and the two refused clients are not members.
	carol, err := env.Dial("carol")
	if err != nil {
		return err
	}
	if _, err := carol.ExpectLine(client.Exact(roomWelcome)); err != nil {
		return err
	}
	if err := carol.Send("carol\r\n"); err != nil {
		return err
	}
	if _, err := carol.ExpectLine(client.Exact(roomContains("alice", "bob"))); err != nil {
		return err
	}
	if err := roomExpectEach([]*client.Conn{alice, bob}, roomEntered("carol")); err != nil {
		return err
	}
	if err := bob.Close(); err != nil {
		return err
	}
	return roomExpectEach([]*client.Conn{alice, carol}, roomLeft("bob"))
}
