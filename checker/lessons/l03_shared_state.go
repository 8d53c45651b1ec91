package lessons

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// sharedPollGap paces a client that asks the same question until the answer changes.
const sharedPollGap = 20 * time.Millisecond

// sharedState is lesson 03: state that every connection shares, guarded by a mutex.
func sharedState() scenario.Lesson {
	return scenario.Lesson{
		Number: 3, Slug: "03-shared-state", Title: "shared state",
		Scenarios: []scenario.Scenario{
			{Name: "name", Doc: "NAME, WHO and COUNT work for one client; bad names are refused; a rename frees the old name", Run: sharedName,
				Hint: "step 1: execute must answer NAME (OK, or ERR invalid name), WHO (ONLINE, then the names in use, sorted) and COUNT (COUNT, then the number of clients connected), through the registry"},
			{Name: "who", Doc: "clients see each other's names at once; a name in use is refused; names are case-sensitive", Run: sharedWho,
				Hint: "step 2: every client's goroutine uses the registry, at the same time as the others: guard its fields with a sync.Mutex, and hold it in every method that reads or writes them"},
			{Name: "contest", Doc: "of twenty clients asking for one name at once, exactly one gets it", Run: sharedContest,
				Hint: "step 2: checking that a name is free and taking it must happen under one lock; with two, two clients can both find the name free"},
			{Name: "quit", Doc: "a client that has QUIT or sent a too-long line is gone from WHO at once; COUNT counts unnamed clients too", Run: sharedQuit,
				Hint: "step 3: take the client out of the registry before its last reply (BYE, or the line-too-long error), so that anyone who has seen that reply can count on it being gone"},
			{Name: "disconnect", Doc: "clients that close or reset their connection soon vanish from WHO and COUNT, and their names are free again", Run: sharedDisconnect,
				Hint: "step 3: however the session ends (EOF, a reset, any read error), take the client out of the registry: defer s.leave() in handle"},
			{Name: "crowd", Doc: "100 clients connect and name themselves at once, all see all 100; when half disconnect, the others see exactly the rest", Run: sharedCrowd,
				Timeout: 30 * time.Second,
				Hint:    "all steps: names and counts must stay exact with 100 goroutines using the registry at once, and every client that leaves must be taken out"},
		},
	}
}

// sharedNotYet is the hint for a server that does not know this lesson's commands yet.
const sharedNotYet = "step 1: the server does not know NAME, WHO and COUNT yet: add them to execute"

// sharedAsk sends one command line and waits for exactly want in reply. hint is the likely
// cause if the reply is wrong or does not come.
func sharedAsk(c *client.Conn, line, want, hint string) error {
	if err := c.SendLine(line); err != nil {
		return err
	}
	got, err := c.ExpectLine(client.Exact(want))
	return sharedHint(err, got, hint)
}

// sharedHint attaches hint to err, unless the reply got shows that the server does not
// know the command at all.
func sharedHint(err error, got, hint string) error {
	if err != nil && strings.HasPrefix(got, `ERR unknown command "`) {
		return client.WithHint(err, sharedNotYet)
	}
	return client.WithHint(err, hint)
}

// sharedOnline is the WHO reply that lists names, which must be sorted.
func sharedOnline(names ...string) string {
	return strings.Join(append([]string{"ONLINE"}, names...), " ")
}

// sharedCountAtLeast asks COUNT and accepts any count of at least least. Connections that
// have just ended may still be counted (the checker's own readiness probe, for one), so a
// client that wants an exact count must use sharedAwait.
func sharedCountAtLeast(c *client.Conn, least int, hint string) error {
	if err := c.SendLine("COUNT"); err != nil {
		return err
	}
	got, err := c.ExpectLine(sharedCountMatcher(least))
	return sharedHint(err, got, hint)
}

func sharedCountMatcher(least int) client.Matcher {
	return client.Func(fmt.Sprintf("COUNT N with N at least %d (the clients connected now)", least), func(line string) bool {
		n, ok := sharedParseCount(line)
		return ok && n >= least
	})
}

func sharedParseCount(line string) (int, bool) {
	digits, ok := strings.CutPrefix(line, "COUNT ")
	if !ok || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// sharedBadWho is the hint for a WHO reply that is wrong whatever departures are still on
// their way.
const sharedBadWho = "whatever departures the server has yet to notice, WHO lists the names of connected clients, " +
	"each once, sorted in byte order (slices.Sorted, or sort.Strings): a map's order is random"

// sharedWhoBetween matches a WHO reply that lists, sorted, every name in must and no name
// outside may: the possible answers while some clients' departures are still on their way.
func sharedWhoBetween(must, may []string) client.Matcher {
	desc := fmt.Sprintf("ONLINE and sorted names: all of %s, and none but %s", strings.Join(must, " "), strings.Join(may, " "))
	return client.Func(desc, func(line string) bool {
		rest, ok := strings.CutPrefix(line, "ONLINE")
		if !ok || rest != "" && rest[0] != ' ' {
			return false
		}
		got := strings.Fields(rest)
		if strings.Join(got, " ") != strings.TrimPrefix(rest, " ") || !slices.IsSorted(got) {
			return false
		}
		for _, name := range must {
			if !slices.Contains(got, name) {
				return false
			}
		}
		for _, name := range got {
			if !slices.Contains(may, name) {
				return false
			}
		}
		return true
	})
}

// sharedAwait sends query again and again, sharedPollGap apart, until the reply is want.
// Every reply must match valid, the replies the protocol allows on the way; one that does
// not fails at once, with badHint. It gives up after twice the client's step, with
// slowHint.
//
// Polling is how a client learns of a departure: the server notices that a connection
// has ended only when its read returns, at a moment no client can observe, and the
// protocol promises only that it happens soon after.
func sharedAwait(c *client.Conn, query, want string, valid client.Matcher, badHint, slowHint string) error {
	start := time.Now()
	deadline := start.Add(2 * c.Step())
	for tries := 1; ; tries++ {
		if err := c.SendLine(query); err != nil {
			return err
		}
		line, err := c.ExpectLine(valid)
		if err != nil {
			return sharedHint(err, line, badHint)
		}
		if line == want {
			return nil
		}
		if time.Now().After(deadline) {
			return &client.Error{Client: c.Name(),
				Want:   fmt.Sprintf("%s to be answered with %s soon", query, client.Quote(want, 200)),
				Got:    fmt.Sprintf("%s, still, after %d tries", client.Quote(line, 200), tries),
				Waited: time.Since(start), Hint: slowHint}
		}
		time.Sleep(sharedPollGap) // pacing the questions, not waiting for an event
	}
}

// sharedEach runs f for every client at once and returns the first failure.
func sharedEach(conns []*client.Conn, f func(i int, c *client.Conn) error) error {
	var g errgroup.Group
	for i, c := range conns {
		g.Go(func() error { return f(i, c) })
	}
	return g.Wait()
}

func sharedName(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	long := strings.Repeat("x", 32)
	for _, x := range []struct{ send, want, hint string }{
		{"WHO", "ONLINE", "step 1: nobody has a name yet: WHO answers ONLINE alone"},
		{"COUNT", "", ""}, // any count of at least 1: alice counts before she has a name
		{"NAME alice", "OK", ""},
		{"WHO", sharedOnline("alice"), "step 1: after NAME alice is answered OK, WHO lists alice"},
		{"NAME", "ERR invalid name", "step 1: a name is 1 to 32 ASCII letters or digits"},
		{"NAME al ice", "ERR invalid name", "step 1: a name is 1 to 32 ASCII letters or digits: no spaces"},
		{"NAME al!ce", "ERR invalid name", "step 1: a name is 1 to 32 ASCII letters or digits"},
		{"NAME " + long + "y", "ERR invalid name", "step 1: a name is at most 32 letters or digits"},
		{"WHO", sharedOnline("alice"), "step 1: a refused NAME changes nothing"},
		{"NAME " + long, "OK", "step 1: a name of 32 letters is allowed"},
		{"WHO", sharedOnline(long), "step 1: a client has one name: NAME again frees the old name"},
		{"name alice", "OK", "step 1: command words are case-insensitive, NAME too"},
		{"NAME alice", "OK", "step 1: naming yourself what you are already called is fine"},
		{"WHO", sharedOnline("alice"), "step 1: a client has one name: NAME again frees the old name"},
		{"PING", "PONG", "step 1: lesson 02's commands still work"},
	} {
		if x.send == "COUNT" {
			if err := sharedCountAtLeast(alice, 1, "step 1: COUNT counts every connected client, named or not, the one asking included"); err != nil {
				return err
			}
			continue
		}
		if err := sharedAsk(alice, x.send, x.want, x.hint); err != nil {
			return err
		}
	}
	return nil
}

func sharedWho(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	if err := sharedAsk(alice, "NAME alice", "OK", ""); err != nil {
		return err
	}
	if err := sharedCountAtLeast(alice, 1, ""); err != nil {
		return err
	}
	bob, err := env.Dial("bob")
	if err != nil {
		return err
	}
	if err := sharedAsk(bob, "NAME bob", "OK", ""); err != nil {
		return err
	}
	both := sharedOnline("alice", "bob")
	if err := sharedAsk(alice, "WHO", both, "bob's NAME was answered OK, so every WHO after it lists bob"); err != nil {
		return err
	}
	if err := sharedAsk(bob, "WHO", both, "WHO lists every named client, sorted"); err != nil {
		return err
	}
	if err := sharedCountAtLeast(bob, 2, "COUNT counts every connected client"); err != nil {
		return err
	}

	carol, err := env.Dial("carol")
	if err != nil {
		return err
	}
	steps := []struct {
		c               *client.Conn
		send, want, why string
	}{
		{carol, "WHO", both, "carol has no name yet, so WHO lists only alice and bob"},
		{carol, "NAME alice", "ERR name taken", "alice is connected and has that name"},
		{carol, "NAME Alice", "OK", "names are case-sensitive: Alice is not alice"},
		{alice, "WHO", sharedOnline("Alice", "alice", "bob"), "names sort in byte order: upper case before lower case"},
		{bob, "NAME bobby", "OK", ""},
		{carol, "NAME bob", "OK", "bob renamed himself bobby, so the name bob is free"},
		{alice, "WHO", sharedOnline("alice", "bob", "bobby"), "a client has one name: carol's NAME bob freed Alice"},
	}
	for _, s := range steps {
		if err := sharedAsk(s.c, s.send, s.want, s.why); err != nil {
			return err
		}
	}
	return sharedCountAtLeast(alice, 3, "COUNT counts every connected client")
}

func sharedContest(env *scenario.Env) error {
	const n = 20
	conns := make([]*client.Conn, n)
	if err := crowd(env, "client", n, 0, func(i int, c *client.Conn) error {
		conns[i-1] = c
		return nil
	}); err != nil {
		return err
	}
	var winners atomic.Int32
	err := sharedEach(conns, func(i int, c *client.Conn) error {
		if err := c.SendLine("NAME prize"); err != nil {
			return err
		}
		line, err := c.ExpectLine(client.Func(`"OK" or "ERR name taken"`, func(l string) bool { return l == "OK" || l == "ERR name taken" }))
		if line == "OK" {
			winners.Add(1)
		}
		return sharedHint(err, line, "")
	})
	if err != nil {
		return err
	}
	if w := winners.Load(); w != 1 {
		return client.Failf("the checker", fmt.Sprintf("exactly one of the %d clients that asked for the name prize at once to get OK", n),
			"OK for %d of them", w)
	}
	return sharedEach(conns, func(i int, c *client.Conn) error {
		return sharedAsk(c, "WHO", sharedOnline("prize"), "one client, and one only, has the name prize")
	})
}

func sharedQuit(env *scenario.Env) error {
	var alice, bob, carol, dave *client.Conn
	for _, x := range []struct {
		c    **client.Conn
		name string
	}{{&alice, "alice"}, {&bob, "bob"}, {&carol, "carol"}, {&dave, "dave"}} {
		c, err := env.Dial(x.name)
		if err != nil {
			return err
		}
		*x.c = c
	}
	for _, c := range []*client.Conn{alice, bob, dave} {
		if err := sharedAsk(c, "NAME "+c.Name(), "OK", ""); err != nil {
			return err
		}
	}
	// carol stays unnamed; COUNT must count her all the same.
	if err := sharedAsk(carol, "PING", "PONG", ""); err != nil {
		return err
	}

	if err := sharedAsk(bob, "QUIT", "BYE", ""); err != nil {
		return err
	}
	if err := client.WithHint(bob.ExpectClosed(), "after BYE the server closes the connection"); err != nil {
		return err
	}
	if err := sharedAsk(alice, "WHO", sharedOnline("alice", "dave"),
		"step 3: bob has read BYE, so he is gone: the server takes a client out of the registry before it sends BYE"); err != nil {
		return err
	}

	// A line over the limit ends the session too, and its error line is the last reply.
	if err := dave.Send("UPPER " + linesWord(env, 5000)); err != nil {
		return err
	}
	if _, err := dave.ExpectLine(client.Exact(linesTooLong)); err != nil {
		return client.WithHint(err, "lesson 02's limit still holds: a line over 4096 bytes is answered with an error and a close")
	}
	if err := dave.ExpectClosed(); err != nil {
		return err
	}
	if err := sharedAsk(alice, "WHO", sharedOnline("alice"),
		"step 3: dave has read the line-too-long error, so he is gone: the server takes a client out of the registry before its last reply"); err != nil {
		return err
	}
	return sharedAwait(alice, "COUNT", "COUNT 2", sharedCountMatcher(2),
		"alice and carol are connected: COUNT counts every connection, named or not",
		"step 3: alice and carol are connected, and carol has no name: COUNT counts every connection, named or not, and a client that has gone must be uncounted")
}

func sharedDisconnect(env *scenario.Env) error {
	names := []string{"alice", "bob", "carol", "dave", "erin"}
	conns := map[string]*client.Conn{}
	for _, name := range names {
		c, err := env.Dial(name)
		if err != nil {
			return err
		}
		conns[name] = c
		// erin stays unnamed.
		if name != "erin" {
			if err := sharedAsk(c, "NAME "+name, "OK", ""); err != nil {
				return err
			}
		}
	}
	alice := conns["alice"]
	all := []string{"alice", "bob", "carol", "dave"}
	if err := sharedAsk(alice, "WHO", sharedOnline(all...), sharedBadWho); err != nil {
		return err
	}

	env.Note("bob closes his connection, carol resets hers, erin closes hers")
	if err := conns["bob"].Close(); err != nil {
		return err
	}
	if err := conns["carol"].Abort(); err != nil {
		return err
	}
	if err := conns["erin"].Close(); err != nil {
		return err
	}
	stay := []string{"alice", "dave"}
	if err := sharedAwait(alice, "WHO", sharedOnline(stay...), sharedWhoBetween(stay, all), sharedBadWho,
		"step 3: bob closed his connection and carol reset hers: when a read fails, the session ends and must take the client out of the registry"); err != nil {
		return err
	}
	if err := sharedAwait(alice, "COUNT", "COUNT 2", sharedCountMatcher(2),
		"alice and dave are still connected: COUNT counts every connection, named or not",
		"step 3: alice and dave are the only clients left (erin, unnamed, closed her connection too): a session that ends must uncount its client"); err != nil {
		return err
	}

	frank, err := env.Dial("frank")
	if err != nil {
		return err
	}
	if err := sharedAsk(frank, "NAME carol", "OK", "step 3: carol has gone, so her name is free"); err != nil {
		return err
	}
	return sharedAsk(conns["dave"], "WHO", sharedOnline("alice", "carol", "dave"), "")
}

func sharedCrowd(env *scenario.Env) error {
	const n = 100
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("user%03d", i+1)
	}
	conns := make([]*client.Conn, n)
	hint := "100 goroutines use the registry at once: every method must hold the registry's mutex"

	env.Note("100 clients connect and name themselves at once")
	err := crowd(env, "client", n, 0, func(i int, c *client.Conn) error {
		conns[i-1] = c
		return sharedAsk(c, "NAME "+names[i-1], "OK", hint)
	})
	if err != nil {
		return err
	}
	everyone := sharedOnline(names...)
	err = sharedEach(conns, func(i int, c *client.Conn) error {
		return sharedAsk(c, "WHO", everyone, "every client has been answered OK to its NAME, so WHO lists all 100, sorted")
	})
	if err != nil {
		return err
	}
	if err := sharedAwait(conns[0], "COUNT", "COUNT 100", sharedCountMatcher(n), hint,
		"step 3: COUNT stays above 100: a connection that has ended (the checker's readiness probe, for one) is still counted"); err != nil {
		return err
	}

	env.Note("every second client leaves at once: half of them close, half reset")
	var stay, gone []*client.Conn
	var stayNames []string
	for i, c := range conns {
		if i%2 == 0 {
			stay = append(stay, c)
			stayNames = append(stayNames, names[i])
		} else {
			gone = append(gone, c)
		}
	}
	err = sharedEach(gone, func(i int, c *client.Conn) error {
		if i%2 == 0 {
			return c.Close()
		}
		return c.Abort()
	})
	if err != nil {
		return err
	}
	rest := sharedOnline(stayNames...)
	leaveHint := "step 3: 50 clients closed or reset their connections: each session that ends must take its client out of the registry"
	if err := sharedAwait(stay[0], "WHO", rest, sharedWhoBetween(stayNames, names), sharedBadWho, leaveHint); err != nil {
		return err
	}
	if err := sharedAwait(stay[0], "COUNT", "COUNT 50", sharedCountMatcher(len(stay)),
		"50 clients are still connected: the count must never drop below them", leaveHint); err != nil {
		return err
	}
	// Once one client has seen the departures, everyone sees them.
	return sharedEach(stay, func(i int, c *client.Conn) error {
		if err := sharedAsk(c, "WHO", rest, "another client already saw exactly these names"); err != nil {
			return err
		}
		return sharedAsk(c, "COUNT", "COUNT 50", "another client already saw this count")
	})
}
