package lessons

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// The limits lesson 08's server runs with: small enough that a check fills, floods and
// overflows them in well under a second.
const (
	limMaxClients = 20
	limMaxLine    = 512
	limRate       = 20 // lines per second
	limBurst      = 5
)

// limits is lesson 08: a cap on connections, on line length and on each client's rate.
func limits() scenario.Lesson {
	return scenario.Lesson{
		Number: 8, Slug: "08-limits", Title: "limits",
		Flags: []string{
			"-max-clients", strconv.Itoa(limMaxClients), "-max-line", strconv.Itoa(limMaxLine),
			"-rate", strconv.Itoa(limRate), "-burst", strconv.Itoa(limBurst),
		},
		Scenarios: []scenario.Scenario{
			{Name: "server-full", Doc: "with -max-clients connected, the next client is told the server is full and closed; the others chat on",
				Run:  limServerFull,
				Hint: "step 1: take a slot of a semaphore.Weighted of size -max-clients for every connection with TryAcquire; when none is free, send the full line and close"},
			{Name: "slot-frees", Doc: "a slot frees when a connection closes, whatever the reason, and never twice",
				Run:  limSlotFrees,
				Hint: "step 1: release the slot exactly once where the connection's session ends, however it ends (s.slots.Release(1) in handle)"},
			{Name: "long-line", Doc: "a line of -max-line bytes is relayed; one byte more is refused and the client closed",
				Run:  limLongLine,
				Hint: "step 2: size the line reader by -max-line instead of the old constant, and name -max-line in the refusal"},
			{Name: "rate-flood", Doc: "a flood of 200 lines at once: -burst of them and what the rate refills are relayed, every other one is answered with the slow-down line",
				Run:  limRateFlood,
				Hint: "step 3: give each client a token bucket of -burst tokens refilled at -rate per second; a line with no token left is answered with the slow-down line and dropped, and the client stays connected"},
			{Name: "rate-per-client", Doc: "a client that sends within its burst and under the rate is never slowed down while another floods",
				Run:  limRatePerClient,
				Hint: "step 3: the token bucket belongs to one client: create it in the client's session, not once for the whole server"},
		},
	}
}

// limServerFull fills the server with -max-clients connections, two of them joined and
// the rest still choosing a name, and checks that one more is refused while the others
// go on as before.
func limServerFull(env *scenario.Env) error {
	joined, err := joinAll(env, "alice", "bob")
	if err != nil {
		return err
	}
	alice, bob := joined[0], joined[1]
	guests, err := fillGuests(env, "guest", limMaxClients-2)
	if err != nil {
		return err
	}
	env.Note("%d clients are connected (2 joined, %d still choosing a name): the server is full", limMaxClients, limMaxClients-2)
	if _, err := expectFull(env, "extra"); err != nil {
		return client.WithHint(err, fmt.Sprintf("step 1: with %d clients connected, joined or not, the next one must be told at once that the server is full: "+
			"take a slot with TryAcquire, which never waits (a blocking Acquire leaves the client hanging with no answer), and count every connection, not only joined clients",
			limMaxClients))
	}

	// Everyone who was already connected is unaffected: the joined chat, a guest joins.
	if err := alice.SendLine("is anyone still here?"); err != nil {
		return err
	}
	if err := expect(bob, saidLine("alice", "is anyone still here?")); err != nil {
		return client.WithHint(err, "refusing a client must not disturb the clients already connected")
	}
	if err := ask(guests[0], "guest1", presenceLine("alice", "bob")); err != nil {
		return client.WithHint(err, "a client that was connected before the server filled up must still be able to join")
	}
	return expectEach(joined, enteredLine("guest1"))
}

// limSlotFrees fills the server, frees four slots in four different ways, and checks
// that exactly four newcomers get in.
func limSlotFrees(env *scenario.Env) error {
	joined, err := joinAll(env, "alice", "bob", "carol", "dave")
	if err != nil {
		return err
	}
	alice, bob, carol, dave := joined[0], joined[1], joined[2], joined[3]
	guests, err := fillGuests(env, "guest", limMaxClients-len(joined))
	if err != nil {
		return err
	}
	if _, err := expectFull(env, "extra"); err != nil {
		return client.WithHint(err, "step 1: with every slot taken, the next client must get the full line")
	}

	env.Note("four clients leave: carol sends a line that is too long, a guest closes, alice quits, bob resets")
	if err := ask(carol, strings.Repeat("x", limMaxLine+1), tooLongLine(limMaxLine)); err != nil {
		return err
	}
	if err := carol.ExpectClosed(); err != nil {
		return err
	}
	if err := expectEach([]*client.Conn{alice, bob, dave}, leftLine("carol")); err != nil {
		return err
	}
	if err := guests[0].Close(); err != nil {
		return err
	}
	if err := quit(alice); err != nil {
		return err
	}
	if err := expect(bob, leftLine("alice")); err != nil {
		return err
	}
	if err := bob.Abort(); err != nil {
		return err
	}
	if _, err := dave.ExpectLinesAnyOrder([]client.Matcher{
		client.Exact(leftLine("alice")), client.Exact(leftLine("bob")),
	}); err != nil {
		return err
	}

	for i := 1; i <= 4; i++ {
		if _, err := dialRetry(env, fmt.Sprintf("newcomer-%d", i)); err != nil {
			return err
		}
	}
	env.Note("four left and four came: the server is full again")
	if _, err := expectFull(env, "extra-again"); err != nil {
		return client.WithHint(err, "a slot was released twice, or a refused client released one it never had: release exactly once per slot taken")
	}
	return ask(dave, "/who", whoReply("lobby", "dave"))
}

// limLongLine checks the -max-line limit at its edge, with both line endings.
func limLongLine(env *scenario.Env) error {
	joined, err := joinAll(env, "alice", "bob")
	if err != nil {
		return err
	}
	alice, bob := joined[0], joined[1]
	for _, ending := range []string{"\n", "\r\n"} {
		text := letters(env, limMaxLine)
		if err := alice.Send(text + ending); err != nil {
			return err
		}
		if err := expect(bob, saidLine("alice", text)); err != nil {
			return client.WithHint(err, fmt.Sprintf("step 2: a line of exactly -max-line (%d) bytes is allowed, whatever its ending (\\n or \\r\\n): make the reader's buffer -max-line+2 bytes", limMaxLine))
		}
	}
	if err := alice.SendLine(letters(env, limMaxLine+1)); err != nil {
		return err
	}
	if err := expect(alice, tooLongLine(limMaxLine)); err != nil {
		return client.WithHint(err, fmt.Sprintf("step 2: a line one byte longer than -max-line (%d) is refused with the line naming -max-line, then the connection is closed", limMaxLine))
	}
	if err := alice.ExpectClosed(); err != nil {
		return err
	}
	return expect(bob, leftLine("alice"))
}

// limRateFlood sends 200 lines in one write and accounts for every one of them: relayed
// to the watcher, or answered with the slow-down line.
//
// How many are relayed depends on time: -burst at once, and one more for every 1/-rate
// seconds the flood takes to be read. So the check asserts bounds: at least -burst, and at
// most -burst plus what the rate refills over the whole exchange as the checker timed
// it, which is longer than the server's view of it, plus one for rounding.
func limRateFlood(env *scenario.Env) error {
	const n = 200
	joined, err := joinAll(env, "flooder", "watcher")
	if err != nil {
		return err
	}
	flooder, watcher := joined[0], joined[1]
	var flood strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&flood, "flood %d\n", i)
	}
	start := time.Now()
	if err := flooder.Send(flood.String()); err != nil {
		return err
	}
	// The half-close is the flood's end marker: after the last line the server reads
	// EOF, so the flooder leaves and the watcher hears of it after every relayed line.
	if err := flooder.CloseWrite(); err != nil {
		return err
	}

	relayed, last := 0, 0
	for {
		line, err := watcher.ExpectLine(client.Func(`a relayed line "[flooder] flood N" or "* flooder has left the room"`, func(l string) bool {
			return l == leftLine("flooder") || strings.HasPrefix(l, "[flooder] flood ")
		}))
		if err != nil {
			return client.WithHint(err, "step 3: a line within the rate is relayed as usual; the others are dropped, not relayed")
		}
		if line == leftLine("flooder") {
			break
		}
		k, _ := strconv.Atoi(strings.TrimPrefix(line, "[flooder] flood "))
		if k <= last || k > n {
			return client.Failf("watcher", "the relayed flood lines in the order they were sent", "%q after \"flood %d\"", line, last)
		}
		last = k
		relayed++
	}

	slowed := 0
	for {
		line, err := flooder.ReadLine()
		if err != nil {
			if flooder.Closed() && flooder.Pending() == "" {
				break
			}
			return client.WithHint(err, "the flooder half-closed after its last line: the server answers every line it read, then closes the connection")
		}
		if line != slowDownLine(limRate) {
			return client.WithHint(client.Failf("flooder", "only slow-down lines: "+client.Quote(slowDownLine(limRate)+"\n", 0), "the line %s", client.Quote(line+"\n", 200)),
				"step 3: a line over the rate is answered with exactly the slow-down line, naming -rate")
		}
		if slowed++; slowed > n {
			return client.Failf("flooder", fmt.Sprintf("at most %d slow-down lines, one per line it sent", n), "more")
		}
	}
	elapsed := time.Since(start)

	most := limBurst + int(float64(limRate)*elapsed.Seconds()) + 1
	switch {
	case relayed+slowed != n:
		return client.WithHint(client.Failf("flooder", fmt.Sprintf("each of its %d lines relayed or answered with the slow-down line", n),
			"%d relayed and %d slow-down lines: %d lines unaccounted for", relayed, slowed, n-relayed-slowed),
			"step 3: every line of a joined client is either relayed or answered with the slow-down line; too fast is not a reason to disconnect")
	case relayed < limBurst:
		return client.WithHint(client.Failf("watcher", fmt.Sprintf("at least -burst (%d) of the flood relayed", limBurst), "%d", relayed),
			"step 3: a client starts with -burst tokens, so its first -burst lines always pass")
	case relayed > most:
		return client.WithHint(client.Failf("watcher", fmt.Sprintf("at most %d of the flood relayed (-burst %d, plus -rate %d per second over the %s the flood took)", most, limBurst, limRate, elapsed.Round(time.Millisecond)),
			"%d", relayed), "step 3: every line spends a token; tokens come back at -rate per second, and never more than -burst are saved up")
	}
	env.Note("%d lines relayed, %d slowed down, in %s", relayed, slowed, elapsed.Round(time.Millisecond))
	return nil
}

// limRatePerClient floods from one client while another, polite, sends -burst lines at
// once three times, each time waiting until the room has them and then long enough for
// its bucket to fill again: well within the policy, and on average well under the rate.
// Polite must never be slowed down, every one of its lines must reach the room, and the
// flooder is never disconnected.
//
// Why bursts, not single lines: a bucket shared by the whole server (the mistake this
// scenario is for) gets a token back every 1/-rate seconds (50 ms), so a single polite
// line finds one whenever the flood happens to pause that long, which a busy machine
// makes likely. A burst needs -burst tokens at once, and a shared bucket that the flood
// (4 lines every 10 ms) empties never holds them unless the flood stops for
// -burst/-rate seconds (250 ms) just before, three times over. Polite's own bucket, on
// the other hand, is full every time: it has been idle for 400 ms since the server
// relayed its last burst.
func limRatePerClient(env *scenario.Env) error {
	const rounds = 3
	joined, err := joinAll(env, "flooder", "polite", "watcher")
	if err != nil {
		return err
	}
	flooder, polite, watcher := joined[0], joined[1], joined[2]

	done := make(chan struct{})
	var g errgroup.Group
	g.Go(func() error {
		// 4 lines every 10 ms, twenty times the rate, until polite is done (and at most
		// 500 rounds, in case it never is). The flooder reads its answers only at the
		// end: 4 lines every 10 ms keeps them within what the operating system buffers.
		for round := 1; round <= 500; round++ {
			var b strings.Builder
			for i := 1; i <= 4; i++ {
				fmt.Fprintf(&b, "flood %d-%d\n", round, i)
			}
			if err := flooder.Send(b.String()); err != nil {
				return err
			}
			select {
			case <-done:
				return nil
			case <-time.After(10 * time.Millisecond):
			}
		}
		return nil
	})
	err = limPoliteBursts(polite, watcher, rounds)
	close(done)
	if err := errors.Join(err, g.Wait()); err != nil {
		return err
	}

	// polite got nothing but relayed flood lines: the reply to /who marks the end.
	if err := polite.SendLine("/who"); err != nil {
		return err
	}
	for range 10000 {
		line, err := polite.ExpectLine(client.Func(`flood lines relayed from the flooder, then the reply to /who`, func(l string) bool {
			return strings.HasPrefix(l, "[flooder] flood ") || strings.HasPrefix(l, "* In lobby: ")
		}))
		if err != nil {
			return limPoliteHint(err, line)
		}
		if strings.HasPrefix(line, "* In lobby: ") {
			break
		}
	}

	// The flooder was slowed down, never disconnected: it reads its answers and the
	// polite lines, then half-closes and is closed.
	if err := flooder.CloseWrite(); err != nil {
		return err
	}
	for range 10000 {
		line, err := flooder.ReadLine()
		if err != nil {
			if flooder.Closed() && flooder.Pending() == "" {
				return nil
			}
			return client.WithHint(err, "step 3: a client over the rate is answered with the slow-down line and stays connected")
		}
		if line != slowDownLine(limRate) && !strings.HasPrefix(line, "[polite] polite ") {
			return client.Failf("flooder", "only slow-down lines and polite's lines", "the line %s", client.Quote(line+"\n", 200))
		}
	}
	return client.Failf("flooder", "the server to close the connection after its half-close", "more than 10000 lines first")
}

// limPoliteBursts has polite send -burst lines at once, rounds times, and the watcher
// receive each burst among the flood's relayed lines before the next one.
func limPoliteBursts(polite, watcher *client.Conn, rounds int) error {
	time.Sleep(100 * time.Millisecond) // pacing: the flood is under way before the first burst
	for round := 1; round <= rounds; round++ {
		var b strings.Builder
		for i := 1; i <= limBurst; i++ {
			fmt.Fprintf(&b, "polite %d-%d\n", round, i)
		}
		if err := polite.Send(b.String()); err != nil {
			return err
		}
		// Each wait of the watcher is bounded, but flood lines keep coming: bound the
		// wait for the whole burst as well.
		start := time.Now()
		for i := 1; i <= limBurst; {
			want := fmt.Sprintf("[polite] polite %d-%d", round, i)
			if waited := time.Since(start); waited > watcher.Step() {
				return limPoliteSlowed(polite, &client.Error{Client: "watcher", Want: client.Quote(want+"\n", 0),
					Got: "only flood lines", Waited: waited})
			}
			line, err := watcher.ExpectLine(client.Func(client.Quote(want+"\n", 0)+", or a relayed flood line", func(l string) bool {
				return l == want || strings.HasPrefix(l, "[flooder] flood ")
			}))
			if err != nil {
				return limPoliteSlowed(polite, err)
			}
			if line == want {
				i++
			}
		}
		// Pacing: -burst tokens come back in 250 ms; 400 ms leaves room for a slow machine.
		time.Sleep(400 * time.Millisecond)
	}
	return nil
}

// limPoliteSlowed explains a burst of polite that did not reach the room: if polite was
// told to slow down, the bucket was not its own.
func limPoliteSlowed(polite *client.Conn, err error) error {
	for range 10000 {
		line, rerr := polite.ReadLine()
		if rerr != nil {
			break
		}
		if line == slowDownLine(limRate) {
			return limPoliteHint(client.Failf("polite", "its burst relayed", "the line %s", client.Quote(line+"\n", 0)), line)
		}
	}
	return err
}

// limPoliteHint gives the hint for polite being told to slow down, if it was.
func limPoliteHint(err error, line string) error {
	if line != slowDownLine(limRate) {
		return err
	}
	return client.WithHint(err, fmt.Sprintf("polite sent -burst (%d) lines at once, each time after waiting long enough for its bucket to fill, yet was told to slow down while another client flooded: "+
		"step 3: each client needs its own token bucket, not one shared by the whole server", limBurst))
}
