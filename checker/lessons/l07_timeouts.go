package lessons

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// The server's timeouts in lesson 07's check, before time scaling: short, so that a check
// takes seconds. The idle grace is shorter than the idle timeout, which some scenarios
// rely on.
const (
	tmoName  = 500 * time.Millisecond
	tmoIdle  = 800 * time.Millisecond
	tmoGrace = 500 * time.Millisecond
	tmoWrite = 500 * time.Millisecond
)

// timeouts is lesson 07: deadlines on names, silence and writes.
func timeouts() scenario.Lesson {
	return scenario.Lesson{
		Number: 7, Slug: "07-timeouts", Title: "timeouts",
		Flags: []string{
			"-name-timeout", tmoName.String(), "-idle-timeout", tmoIdle.String(),
			"-idle-grace", tmoGrace.String(), "-write-timeout", tmoWrite.String(),
		},
		Scenarios: []scenario.Scenario{
			{Name: "name-timeout", Doc: "a client that sends no name, or half a name, is told it took too long and is disconnected; a prompt one joins",
				Run:  tmoNameTimeout,
				Hint: "step 1: read the name under a deadline (conn.SetReadDeadline before reading); when it expires, send `* Sorry, you took too long to choose a name.` and close"},
			{Name: "idle-warning", Doc: "a silent member is warned after -idle-timeout, and any line, even an empty one, resets the clock",
				Run:  tmoIdleWarning,
				Hint: "step 2: set a read deadline of -idle-timeout before each read of a joined client; when it expires, warn the client once and give it -idle-grace more"},
			{Name: "idle-disconnect", Doc: "a member silent after the warning is disconnected and its room is told why",
				Run:  tmoIdleDisconnect,
				Hint: "step 2: when the grace after a warning expires too, send `* Disconnected: idle for too long.`, close, and tell the room `* NAME has left the room (idle)`"},
			{Name: "busy-stays", Doc: "members that send a line (chat, command or empty) well within -idle-timeout are never warned",
				Run:  tmoBusyStays,
				Hint: "step 2: a deadline is a point in time, not a duration: set a new one before every read, so each complete line resets the idle clock"},
			{Name: "partial-line", Doc: "half a line is silence, and a line completed after a timeout arrives whole",
				Run:  tmoPartialLine,
				Hint: "step 3: when a read deadline expires in the middle of a line, keep the bytes read so far; the next read goes on from there"},
			{Name: "write-timeout", Doc: "a member whose writes do not finish within -write-timeout is disconnected as too slow, even with a huge queue",
				Run: tmoWriteTimeout, Timeout: 60 * time.Second, Flags: []string{"-queue", "100000"},
				Hint: "step 4: set a write deadline before every write to a client (bufio writes when its buffer fills, too); a write that times out means the client is too slow"},
			{Name: "budget-chat", Doc: "everything of lesson 04 still works for a client that is quick enough",
				Run:  exactBudgetChat,
				Hint: "a client that names itself and talks in time must see lesson 04's chat, unchanged"},
		},
	}
}

// Lines of lesson 07's protocol (docs/protocol.md).
const (
	tmoTooLongName = "* Sorry, you took too long to choose a name."
	tmoIdleBye     = "* Disconnected: idle for too long."
)

// tmoWarning is the idle warning; grace is printed as Go prints a duration.
func tmoWarning(grace time.Duration) string {
	return fmt.Sprintf("* Are you still there? Send anything within %v or be disconnected.", grace)
}

func tmoLeftIdle(name string) string { return leftLine(name) + " (idle)" }

// tmoWait is how long a client waits for something the server does after d (a server
// flag, scaled like the flags): twice d and a second, for a loaded machine.
func tmoWait(env *scenario.Env, d time.Duration) time.Duration {
	return 2*env.Scaled(d) + env.Scaled(time.Second)
}

// tmoSlack is how much earlier than its flag the checker lets a timeout fire, for the
// time between the checker's clock reading and the server's.
const tmoSlack = 50 * time.Millisecond

// tmoNotBefore fails if less than d (scaled) passed since start.
func tmoNotBefore(env *scenario.Env, c *client.Conn, what string, start time.Time, d time.Duration) error {
	if took := time.Since(start); took < env.Scaled(d)-tmoSlack {
		return client.Failf(c.Name(), fmt.Sprintf("%s after %v at the earliest", what, env.Scaled(d)),
			"it after only %v", took.Round(time.Millisecond))
	}
	return nil
}

func tmoNameTimeout(env *scenario.Env) error {
	var g errgroup.Group
	for _, who := range []struct{ name, sends string }{{"quiet", ""}, {"halfname", "ali"}} {
		g.Go(func() error {
			start := time.Now()
			c, err := dial(env, who.name)
			if err != nil {
				return err
			}
			if who.sends != "" {
				if err := c.Send(who.sends); err != nil {
					return err
				}
			}
			c.SetStep(tmoWait(env, tmoName))
			if err := expect(c, tmoTooLongName); err != nil {
				if who.sends != "" {
					return client.WithHint(err, "step 1: a client that sends half a name and stops has sent no name: the name deadline must fire for it as for a silent client")
				}
				return err
			}
			if err := tmoNotBefore(env, c, "to be told it took too long", start, tmoName); err != nil {
				return err
			}
			return c.ExpectClosed()
		})
	}
	g.Go(func() error {
		c, err := dial(env, "prompt")
		if err != nil {
			return err
		}
		time.Sleep(env.Scaled(tmoName) / 4) // pacing: a client that takes a quarter of its time
		if err := c.SendLine("prompt"); err != nil {
			return err
		}
		return client.WithHint(expect(c, presenceLine()),
			"step 1: a name sent within -name-timeout is accepted; clear the deadline (or replace it with the idle one) once the client has joined")
	})
	return g.Wait()
}

func tmoIdleWarning(env *scenario.Env) error {
	start := time.Now()
	alice, err := join(env, "alice")
	if err != nil {
		return err
	}
	warning := tmoWarning(env.Scaled(tmoGrace))
	alice.SetStep(tmoWait(env, tmoIdle))
	if err := expect(alice, warning); err != nil {
		return err
	}
	if err := tmoNotBefore(env, alice, "the idle warning", start, tmoIdle); err != nil {
		return err
	}
	// An empty line is a complete line: it resets the clock, so the next thing is
	// another warning, not the disconnection.
	start = time.Now()
	if err := alice.SendLine(""); err != nil {
		return err
	}
	if err := expect(alice, warning); err != nil {
		return client.WithHint(err, "step 2: any complete line after the warning, an empty one too, resets the idle clock: the client gets -idle-timeout again, and a warning if it stays silent")
	}
	if err := tmoNotBefore(env, alice, "the second idle warning", start, tmoIdle); err != nil {
		return client.WithHint(err, "step 2: a line resets the idle clock: set a new deadline of -idle-timeout before every read")
	}
	return ask(alice, "/who", whoReply("lobby", "alice"))
}

func tmoIdleDisconnect(env *scenario.Env) error {
	bob, err := join(env, "bob")
	if err != nil {
		return err
	}
	bob.SetStep(tmoWait(env, tmoIdle))
	if err := expect(bob, tmoWarning(env.Scaled(tmoGrace))); err != nil {
		return err
	}
	warned := time.Now()
	// alice arrives during bob's grace. The grace is shorter than the idle timeout, so
	// alice is not warned before bob's grace runs out.
	alice, err := dial(env, "alice")
	if err != nil {
		return err
	}
	if err := alice.SendLine("alice"); err != nil {
		return err
	}
	// Whether alice joined before bob was disconnected is the server's call; the
	// presence line says which it was.
	presence, err := alice.ExpectLine(client.Func("the presence line, listing bob or nobody", func(l string) bool {
		return l == presenceLine("bob") || l == presenceLine()
	}))
	if err != nil {
		return err
	}
	bob.SetStep(tmoWait(env, tmoGrace))
	if presence == presenceLine("bob") {
		if err := expect(bob, enteredLine("alice")); err != nil {
			return err
		}
	}
	if err := expect(bob, tmoIdleBye); err != nil {
		return err
	}
	if took := time.Since(warned); took < env.Scaled(tmoGrace)/2 {
		return client.Failf("bob", fmt.Sprintf("to be disconnected about %v after the warning", env.Scaled(tmoGrace)),
			"disconnected after only %v", took.Round(time.Millisecond))
	}
	if err := bob.ExpectClosed(); err != nil {
		return err
	}
	if presence == presenceLine("bob") {
		if err := expect(alice, tmoLeftIdle("bob")); err != nil {
			return client.WithHint(err, "step 2: the room of a member disconnected for silence is told `* NAME has left the room (idle)`")
		}
	}
	return ask(alice, "/who", whoReply("lobby", "alice"))
}

// tmoBusyStays keeps three members busy for three idle periods, each sending a line
// every third of -idle-timeout: a chat line, a command, an empty line.
func tmoBusyStays(env *scenario.Env) error {
	names := []string{"carl", "dora", "eve"}
	cs, err := joinAll(env, names...)
	if err != nil {
		return err
	}
	carl, dora, eve := cs[0], cs[1], cs[2]
	period := env.Scaled(tmoIdle) / 3
	const ticks = 9
	var said []string
	env.Note("carl, dora and eve each send a line every %v for %v", period.Round(time.Millisecond), (ticks * period).Round(time.Millisecond))
	for i := 1; i <= ticks; i++ {
		time.Sleep(period) // pacing the members' lines
		said = append(said, fmt.Sprintf("tick %d", i))
		if err := carl.SendLine(said[i-1]); err != nil {
			return err
		}
		if err := dora.SendLine("/who"); err != nil {
			return err
		}
		if err := eve.SendLine(""); err != nil {
			return err
		}
	}
	who := whoReply("lobby", names...)
	doraWho := make([]string, ticks+1)
	for i := range doraWho {
		doraWho[i] = who
	}
	explain := func(line string) string {
		if strings.HasPrefix(line, "* Are you still there?") || line == tmoIdleBye {
			return fmt.Sprintf("step 2: this member sent a complete line every %v, well within -idle-timeout (%v), and was still found idle: "+
				"set a new read deadline before every read (a deadline is a point in time, not a duration)", period.Round(time.Millisecond), env.Scaled(tmoIdle))
		}
		return ""
	}
	wants := map[*client.Conn]delivery{
		carl: {seqs: [][]string{{who}}, explain: explain},
		dora: {seqs: [][]string{saidLines("carl", said), doraWho}, explain: explain},
		eve:  {seqs: [][]string{saidLines("carl", said), {who}}, explain: explain},
	}
	var g errgroup.Group
	for c, want := range wants {
		g.Go(func() error {
			if err := c.SendLine("/who"); err != nil {
				return err
			}
			_, err := want.read(c)
			return err
		})
	}
	return g.Wait()
}

func tmoPartialLine(env *scenario.Env) error {
	start := time.Now()
	alice, err := join(env, "alice")
	if err != nil {
		return err
	}
	if err := alice.Send("hel"); err != nil {
		return err
	}
	alice.SetStep(tmoWait(env, tmoIdle))
	if err := expect(alice, tmoWarning(env.Scaled(tmoGrace))); err != nil {
		return client.WithHint(err, "step 3: half a line is not a line: a client that sends \"hel\" and stops is silent, and is warned after -idle-timeout")
	}
	if err := tmoNotBefore(env, alice, "the idle warning", start, tmoIdle); err != nil {
		return err
	}
	// bob joins within alice's grace, which is shorter than his idle timeout.
	bob, err := join(env, "bob", "alice")
	if err != nil {
		return err
	}
	if err := expect(alice, enteredLine("bob")); err != nil {
		return err
	}
	if err := alice.SendLine("lo"); err != nil {
		return err
	}
	if err := expect(bob, saidLine("alice", "hello")); err != nil {
		return client.WithHint(err, "step 3: alice sent \"hel\", was warned, then sent \"lo\\n\": the line is \"hello\". "+
			"A read that times out may already have taken the start of the line (bufio's ReadSlice and ReadString do): keep it")
	}
	return ask(alice, "/who", whoReply("lobby", "alice", "bob"))
}

// tmoWriteTimeout floods a room in which one member never reads, with a queue so large
// that it never overflows: only a write deadline can find the member too slow. The
// stalled member keeps sending commands, so it is never idle.
func tmoWriteTimeout(env *scenario.Env) error {
	f, err := bpSetup(env, "stalled")
	if err != nil {
		return err
	}
	stalled := f.stalledConns[0]
	stop := make(chan struct{})
	kept := tmoKeepAlive(stalled, env.Scaled(tmoIdle)/3, stop)
	// Fill the socket buffers fast, then give the write deadline time to expire.
	f.maxBytes, f.paceAfter, f.pace = 12<<20, 3<<20, 40*time.Millisecond
	f.flowHint = func(err error, sent int) error {
		return client.WithHint(err, "the other members must get every line, in order, while one member's writes hang: only that member's writer may wait")
	}
	told, err := f.run(env)
	close(stop)
	<-kept
	if err != nil {
		return err
	}
	if !told {
		return client.WithHint(client.Failf(f.names[0], "to be told "+client.Quote(leftTooSlowLine("stalled"), 0),
			"nothing after %d MB of messages for stalled, which read none of them", f.maxBytes>>20),
			"step 4: the writer waited forever on a client that does not read: set a write deadline before every write, and disconnect the client as too slow when it expires")
	}
	env.Note("the room was told; stalled must now find its connection closed")
	return client.WithHint(expectClosedAfterAll(stalled, 2*f.maxBytes/bpLineLen),
		"step 4: after a write times out, close the connection")
}

// tmoKeepAlive sends /who from c every period until stop is closed, so that the server
// never finds c idle. It stops early if a send fails: the server may have closed c. The
// returned channel is closed when it has stopped.
func tmoKeepAlive(c *client.Conn, period time.Duration, stop <-chan struct{}) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if c.SendLine("/who") != nil {
					return
				}
			}
		}
	}()
	return done
}
