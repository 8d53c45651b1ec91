package lessons

import (
	"errors"
	"fmt"
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
				Run:  exactBudgetChat,
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
	if _, err := join(env, "stalled", f.names...); err != nil {
		return client.WithHint(err, "after `* stalled has left the room (too slow)` the name stalled must be free and gone from the room: remove the member from the room when you drop it")
	}
	return expectEach(f.talkers, enteredLine("stalled"))
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
func bpSetup(env *scenario.Env, stalled ...string) (*bpFlood, error) {
	names := []string{"ann", "bea", "cal"}
	talkers, err := joinAll(env, names...)
	if err != nil {
		return nil, err
	}
	f := &bpFlood{talkers: talkers, names: names, stalled: stalled, perRound: bpPerRound}
	for range names {
		f.filler = append(f.filler, randomWords(env, bpLineLen))
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
		if err := expectEach(f.talkers, enteredLine(name)); err != nil {
			return nil, err
		}
		f.notices = append(f.notices, leftTooSlowLine(name))
	}
	return f, nil
}

// bpFloodUntilDropped floods the room until every talker has been told that every
// stalled member left as too slow, then expects each stalled connection to be closed.
func bpFloodUntilDropped(env *scenario.Env, f *bpFlood) error {
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
		if err := expectClosedAfterAll(c, 2*f.maxBytes/bpLineLen); err != nil {
			return client.WithHint(err, "the room said "+c.Name()+" left as too slow, but its connection stayed open: close the connection of a member you drop, or its goroutines and socket live on")
		}
	}
	return nil
}

// bpFlood is a room where talkers send long lines in rounds while some members never
// read. Every line reaches the stalled members too, until the server drops them.
type bpFlood struct {
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
func (f *bpFlood) run(env *scenario.Env) (bool, error) {
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
				sent += len(saidLine(name, text)) + 1
			}
		}
		var g errgroup.Group
		for i, c := range f.talkers {
			g.Go(func() error {
				if err := c.Send(strings.Join(lines[i], "\n") + "\n"); err != nil {
					return err
				}
				want := delivery{}
				for j, name := range f.names {
					if j != i {
						want.seqs = append(want.seqs, saidLines(name, lines[j]))
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
