package lessons

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// roomChat is lesson 10, the capstone: its own scenarios (structured logs, a mixed
// workload of a thousand clients) and, between them, every scenario of lessons 04 to 09
// again, since the full server speaks all of their protocol.
func roomChat() scenario.Lesson {
	own := []scenario.Scenario{
		{Name: "log-reasons", NeedsProcess: true, Run: fullLogReasons,
			Flags: []string{"-log-format", "json", "-max-clients", "4"},
			Doc:   "with -log-format json, each connection's end is logged once, at info, with its address, its name if it joined, and the reason",
			Hint:  "step 1: log every connection's end exactly once, in the one place every session ends, with slog.Info and attributes for the address, the name and the reason"},
		{Name: "log-timeouts", NeedsProcess: true, Run: fullLogTimeouts,
			Flags: []string{"-log-format", "json", "-name-timeout", "500ms", "-idle-timeout", "500ms", "-idle-grace", "500ms"},
			Doc:   "the ends that a deadline decides are logged with their reasons too: name timeout and idle",
			Hint:  "step 1: a session that ends by a deadline logs its reason like any other: name timeout, or idle"},
		{Name: "log-too-slow", NeedsProcess: true, Run: fullLogTooSlow,
			Flags: []string{"-log-format", "json", "-write-timeout", "500ms"},
			Doc:   "a client disconnected for not reading is logged with the reason too slow",
			Hint:  "step 1: the writer marks a client too slow; handle, where the end is logged, must give that reason, whatever the reader saw"},
	}
	load := scenario.Scenario{Name: "mixed-load", Run: fullMixedLoad, Timeout: 90 * time.Second,
		Flags: []string{"-max-clients", strconv.Itoa(2 * fullClients)},
		Doc:   fmt.Sprintf("%d clients join, talk, send private messages, change rooms, read slowly and vanish, and every line reaches exactly whom it should", fullClients),
		Hint:  "every delivery must happen exactly once, to exactly the members of the sender's room (or the one named by /msg), in the sender's order, however many clients act at once; a bug that only shows here is usually state read or changed outside the registry's lock"}
	return scenario.Lesson{
		Number: 10, Slug: "10-room-chat", Title: "the full room chat",
		// The earlier scenarios run with these, unless their own lesson sets others (as
		// lessons 05, 08 and 09 do). The servers of lessons 04 to 07 had no rate limit,
		// and their scenarios send faster than a person types. Lesson 04's scenarios send
		// a client bursts of up to 300 lines that it reads only afterwards: the lesson 04
		// server waited for such a client, but from lesson 05 on a queue of 256 lines
		// may overflow before the client's writer has had a turn, so it gets room for
		// 4096.
		Flags:     append(noRateLimit(), "-queue", "4096"),
		Scenarios: append(append(own, fullEarlierScenarios()...), load),
	}
}

// fullEarlierScenarios returns every scenario of the chat lessons 04 to 09, named
// "NN/name", with the flags its own lesson gave it. The tables are read when the lesson
// is built, so a scenario added to an earlier lesson is checked here too.
//
// The rule for what applies: the full server speaks every earlier lesson's protocol
// (docs/protocol.md: "a server for lesson N speaks everything of the sections before
// it") and accepts every earlier flag, so every earlier scenario applies, except those
// listed in fullSkip, where a later lesson changed what the scenario checks.
func fullEarlierScenarios() []scenario.Scenario {
	var out []scenario.Scenario
	for _, l := range []scenario.Lesson{chat(), backpressure(), rooms(), timeouts(), limits(), shutdown()} {
		for _, sc := range l.Scenarios {
			name := fmt.Sprintf("%02d/%s", l.Number, sc.Name)
			if _, skip := fullSkip[name]; skip {
				continue
			}
			sc.Name = name
			sc.Flags = append(append([]string(nil), l.Flags...), sc.Flags...)
			if sc.Hint != "" {
				sc.Hint = fmt.Sprintf("from lesson %02d (%s), %s", l.Number, l.Title, sc.Hint)
			}
			out = append(out, sc)
		}
	}
	return out
}

// fullSkip names the earlier scenarios that do not apply to the full server, each with
// the reason. None so far: every earlier lesson's protocol still holds in lesson 10.
var fullSkip = map[string]string{}

// fullEnd is a connection whose end the server must log: who it was, where from, the
// name it joined with (if it did) and the reason.
type fullEnd struct {
	c      *client.Conn
	name   string
	reason string
}

// fullReasons are the protocol's reasons for a connection's end (docs/protocol.md,
// lesson 10).
var fullReasons = []string{"quit", "closed", "too slow", "idle", "line too long", "server full",
	"bad name", "name taken", "name timeout", "shutdown"}

// fullLogReasons ends connections in seven different ways, shuts the server down and
// reads its log.
//
// A client's reason is fixed when the server sees its connection end, and for a client
// that closes, no line says when that is. With -max-clients 4 and three clients staying
// connected throughout, every newcomer takes the last slot: it gets in (dialRetry
// tries again while the slot is taken) only once the previous connection has ended, so
// no ending can be mistaken for the shutdown.
func fullLogReasons(env *scenario.Env) error {
	var ends []fullEnd
	carol, err := fullJoin(env, "carol")
	if err != nil {
		return err
	}
	guests, err := fillGuests(env, "guest", 2)
	if err != nil {
		return err
	}

	alice, err := fullJoin(env, "alice")
	if err != nil {
		return err
	}
	if err := expect(carol, enteredLine("alice")); err != nil {
		return err
	}
	if err := quit(alice); err != nil {
		return err
	}
	if err := expect(carol, leftLine("alice")); err != nil {
		return err
	}
	ends = append(ends, fullEnd{alice, "alice", "quit"})

	bob, err := fullJoin(env, "bob")
	if err != nil {
		return err
	}
	if err := expect(carol, enteredLine("bob")); err != nil {
		return err
	}
	if err := bob.Close(); err != nil {
		return err
	}
	if err := expect(carol, leftLine("bob")); err != nil {
		return err
	}
	ends = append(ends, fullEnd{bob, "bob", "closed"})

	bad, err := dialRetry(env, "bad")
	if err != nil {
		return err
	}
	if err := refuseName(bad, "no spaces allowed", badNameLine); err != nil {
		return err
	}
	ends = append(ends, fullEnd{bad, "", "bad name"})

	impostor, err := dialRetry(env, "impostor")
	if err != nil {
		return err
	}
	if err := refuseName(impostor, "carol", takenLine("carol")); err != nil {
		return err
	}
	ends = append(ends, fullEnd{impostor, "", "name taken"})

	eve, err := fullJoin(env, "eve")
	if err != nil {
		return err
	}
	if err := expect(carol, enteredLine("eve")); err != nil {
		return err
	}
	if err := ask(eve, letters(env, 4097), tooLongLine(4096)); err != nil {
		return err
	}
	if err := eve.ExpectClosed(); err != nil {
		return err
	}
	if err := expect(carol, leftLine("eve")); err != nil {
		return err
	}
	ends = append(ends, fullEnd{eve, "eve", "line too long"})

	// The last slot again, and the server is full.
	last, err := dialRetry(env, "guest-3")
	if err != nil {
		return err
	}
	extra, err := expectFull(env, "extra")
	if err != nil {
		return err
	}
	ends = append(ends, fullEnd{extra, "", "server full"})
	if err := guests[0].Close(); err != nil {
		return err
	}
	ends = append(ends, fullEnd{guests[0], "", "closed"})
	latest, err := dialRetry(env, "guest-4")
	if err != nil {
		return err
	}

	if err := shutSignal(env, syscall.SIGTERM); err != nil {
		return err
	}
	for _, end := range []fullEnd{{carol, "carol", "shutdown"}, {guests[1], "", "shutdown"}, {last, "", "shutdown"}, {latest, "", "shutdown"}} {
		if err := shutExpectGoodbye(end.c); err != nil {
			return err
		}
		ends = append(ends, end)
	}
	if err := shutExpectExit(env, env.Scaled(10*time.Second), 0); err != nil {
		return err
	}
	return fullCheckLog(env, ends)
}

// fullLogTimeouts ends two connections by deadlines: no name in time, and silence.
func fullLogTimeouts(env *scenario.Env) error {
	slowpoke, err := dial(env, "slowpoke")
	if err != nil {
		return err
	}
	dreamer, err := fullJoin(env, "dreamer")
	if err != nil {
		return err
	}
	if err := expect(slowpoke, tmoTooLongName); err != nil {
		return err
	}
	if err := slowpoke.ExpectClosed(); err != nil {
		return err
	}
	if _, err := dreamer.ExpectLine(client.Prefix("* Are you still there? Send anything within ")); err != nil {
		return err
	}
	if err := expect(dreamer, tmoIdleBye); err != nil {
		return err
	}
	if err := dreamer.ExpectClosed(); err != nil {
		return err
	}
	// The server writes a connection's record after closing it: its exit is the moment
	// when every record has been written.
	if err := shutSignal(env, syscall.SIGTERM); err != nil {
		return err
	}
	if err := shutExpectExit(env, env.Scaled(10*time.Second), 0); err != nil {
		return err
	}
	return fullCheckLog(env, []fullEnd{{slowpoke, "", "name timeout"}, {dreamer, "dreamer", "idle"}})
}

// fullLogTooSlow has a client stop reading while another sends it megabytes, until the
// server disconnects it (its queue overflows, or a write takes longer than 500ms).
func fullLogTooSlow(env *scenario.Env) error {
	joined, err := joinAll(env, "feeder", "sleepy")
	if err != nil {
		return err
	}
	feeder, sleepy := joined[0], joined[1]
	if err := sleepy.SetReadBuffer(4096); err != nil {
		return err
	}
	n := shutStallLines()
	env.Note("sleepy stops reading; feeder sends %d lines (%d MiB)", n, n*shutBulkSize>>20)
	if err := shutSendBulk(feeder, n); err != nil {
		return err
	}
	if err := expect(feeder, leftTooSlowLine("sleepy")); err != nil {
		return client.WithHint(err, "a client whose queue overflows, or whose write takes longer than -write-timeout, is disconnected as too slow")
	}
	if err := shutSignal(env, syscall.SIGTERM); err != nil {
		return err
	}
	if err := shutExpectGoodbye(feeder); err != nil {
		return err
	}
	if err := shutExpectExit(env, env.Scaled(10*time.Second), 0); err != nil {
		return err
	}
	return fullCheckLog(env, []fullEnd{{sleepy, "sleepy", "too slow"}, {feeder, "feeder", "shutdown"}})
}

// fullJoin connects name (trying again while a slot is being freed) and joins the lobby,
// whoever is there.
func fullJoin(env *scenario.Env, name string) (*client.Conn, error) {
	c, err := dialRetry(env, name)
	if err != nil {
		return nil, err
	}
	if err := c.SendLine(name); err != nil {
		return nil, err
	}
	if _, err := c.ExpectLine(client.Prefix(presencePrefix)); err != nil {
		return nil, err
	}
	return c, nil
}

// fullCheckLog reads the server's JSON log and checks that each connection's end is
// logged once, at info, with its address, its name if it joined, and its reason.
//
// The protocol does not name the attributes, so any key will do: a record is about a
// connection when one of its values is the client's address ("127.0.0.1:PORT", or an
// object with that IP and Port, as slog prints a *net.TCPAddr), and it logs its end
// when one of its values is one of the protocol's reasons.
func fullCheckLog(env *scenario.Env, ends []fullEnd) error {
	var records []map[string]any
	for _, line := range strings.Split(env.Server.Output(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(strings.TrimSpace(line)), &rec) == nil {
			records = append(records, rec)
		}
	}
	if len(records) == 0 {
		return &client.Error{Client: "the server's log", Want: "JSON records, one per line (-log-format json)", Got: "none (see the server's output below)",
			Hint: "step 1: with -log-format json, log through slog.New(slog.NewJSONHandler(os.Stderr, ...)); log.Printf writes plain text"}
	}
	for _, end := range ends {
		addr := end.c.LocalAddr().String()
		var found []map[string]any
		for _, rec := range records {
			if fullMentions(rec, addr) && len(fullReasonsIn(rec)) > 0 {
				found = append(found, rec)
			}
		}
		who := fmt.Sprintf("the log of %s's connection (from %s)", end.c.Name(), addr)
		if len(found) != 1 {
			return &client.Error{Client: "the server's log", Want: fmt.Sprintf("one record of the end of %s's connection (from %s) with the reason %q", end.c.Name(), addr, end.reason),
				Got:  fmt.Sprintf("%d records with its address and a reason", len(found)),
				Hint: "step 1: log the end of every connection exactly once, in the one place every session ends, with the client's address and one of the protocol's reasons as attribute values"}
		}
		rec := found[0]
		if reasons := fullReasonsIn(rec); !slices.Contains(reasons, end.reason) {
			return &client.Error{Client: "the server's log", Want: fmt.Sprintf("%s to give the reason %q", who, end.reason), Got: fmt.Sprintf("%q", reasons),
				Hint: "step 1: each way a session ends has its own reason: keep it from where the session decides to end to where the end is logged"}
		}
		if level, _ := rec["level"].(string); !strings.EqualFold(level, "info") {
			return &client.Error{Client: "the server's log", Want: who + " to be at level INFO", Got: fmt.Sprintf("level %q", level)}
		}
		if end.name != "" && !fullHasString(rec, end.name) {
			return &client.Error{Client: "the server's log", Want: fmt.Sprintf("%s to name the client, %q, since it had joined", who, end.name), Got: "no attribute with that value"}
		}
	}
	return nil
}

// fullMentions reports whether a value in v is the address addr.
func fullMentions(v any, addr string) bool {
	host, port, _ := net.SplitHostPort(addr)
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return v == addr
		case map[string]any:
			if ip, ok := v["IP"].(string); ok && ip == host {
				if p, ok := v["Port"].(float64); ok && strconv.Itoa(int(p)) == port {
					return true
				}
			}
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		case []any:
			return slices.ContainsFunc(v, walk)
		}
		return false
	}
	return walk(v)
}

// fullReasonsIn returns the protocol's reasons found among v's string values.
func fullReasonsIn(v any) []string {
	var found []string
	for _, r := range fullReasons {
		if fullHasString(v, r) {
			found = append(found, r)
		}
	}
	return found
}

// fullHasString reports whether s is one of v's string values, at any depth.
func fullHasString(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return v == s
	case map[string]any:
		for _, x := range v {
			if fullHasString(x, s) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if fullHasString(x, s) {
				return true
			}
		}
	}
	return false
}

// The mixed workload's shape: fullClients clients in fullRooms rooms of equal size.
// Within each room, by a client's place j in it (0 to 19): places 0, 5, 10 and 15 move
// to the next room, places 6 and 13 read late, and places 3 and 13 leave at the end.
const (
	fullClients   = 1000
	fullRooms     = 50
	fullDialLimit = 32 // clients dialling, or taking their turn in a phase, at once
)

// fullClient is one client of the mixed workload and what it has been told. A phase
// runs each client in one goroutine at most, and phases are separated by waits for
// every goroutine, so a fullClient needs no lock.
type fullClient struct {
	index int // in fullLoad.clients
	place int // in its first room: 0 to fullClients/fullRooms-1
	name  string
	c     *client.Conn // nil once it has left
	room  string
	late  bool            // reads only after everyone else has read, in each phase
	view  map[string]bool // the others in its room, as the server has told it
}

// fullLoad is the workload's plan and clients.
type fullLoad struct {
	env     *scenario.Env
	clients []*fullClient
	byName  map[string]*fullClient
}

// fullMixedLoad runs the workload in phases. In each phase every client acts first
// (joins, sends, moves, leaves), with at most fullDialLimit at once; then every client
// reads exactly what the plan says it must get, the late readers last. What a client
// must get is known from the plan alone, whatever the interleaving, so every delivery
// is checked without any timing: a line that is missing is waited for, one that is
// wrong or extra is seen.
func fullMixedLoad(env *scenario.Env) error {
	l := &fullLoad{env: env, byName: map[string]*fullClient{}}
	for i := 0; i < fullClients; i++ {
		room, place := i%fullRooms, i/fullRooms
		fc := &fullClient{index: i, place: place, name: fmt.Sprintf("u%d", i+1), room: fullRoomName(room), late: place%7 == 6}
		l.clients = append(l.clients, fc)
		l.byName[fc.name] = fc
	}
	// Drawn before any goroutine starts: env.Rand is not for concurrent use.
	private1, private2 := env.Rand.Perm(fullClients), env.Rand.Perm(fullClients)

	steps := []struct {
		note string
		run  func() error
	}{
		{fmt.Sprintf("%d clients join, each passing through the lobby to its room", fullClients), l.join},
		{"every client talks to its room twice and sends one private message", func() error { return l.talk("a", 2, private1) }},
		{"four clients of each room move to the next room", l.move},
		{"every client talks once more and sends another private message", func() error { return l.talk("b", 1, private2) }},
		{"two clients of each room leave: reset, /quit or close", l.leave},
		{"everyone asks /who, one asks /rooms", l.census},
	}
	for _, s := range steps {
		env.Note("%s", s.note)
		start := time.Now()
		if err := s.run(); err != nil {
			return err
		}
		env.Note("done in %s", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func fullRoomName(i int) string { return fmt.Sprintf("room-%d", i+1) }

// each runs f for every client that is still connected and matches which, at most
// fullDialLimit at once, and returns the first failure.
func (l *fullLoad) each(which func(*fullClient) bool, f func(*fullClient) error) error {
	var g errgroup.Group
	g.SetLimit(fullDialLimit)
	for _, fc := range l.clients {
		if fc.c != nil && which(fc) {
			g.Go(func() error { return f(fc) })
		}
	}
	return g.Wait()
}

// readAll runs f for every connected client, the late readers after all the others.
func (l *fullLoad) readAll(f func(*fullClient) error) error {
	if err := l.each(func(fc *fullClient) bool { return !fc.late }, f); err != nil {
		return err
	}
	return l.each(func(fc *fullClient) bool { return fc.late }, f)
}

// members returns the planned members of each room, by room.
func (l *fullLoad) members() map[string]map[string]bool {
	m := map[string]map[string]bool{}
	for _, fc := range l.clients {
		if fc.c == nil {
			continue
		}
		if m[fc.room] == nil {
			m[fc.room] = map[string]bool{}
		}
		m[fc.room][fc.name] = true
	}
	return m
}

// join connects every client, names it, and moves it from the lobby to its room; then
// every client reads the entered notices of those who came to its room after it.
func (l *fullLoad) join() error {
	var g errgroup.Group
	g.SetLimit(fullDialLimit)
	for _, fc := range l.clients {
		g.Go(func() error {
			c, err := dial(l.env, fc.name)
			if err != nil {
				return err
			}
			fc.c = c
			if err := c.SendLine(fc.name); err != nil {
				return err
			}
			lobby, err := fullPresence(fc, l.byName)
			if err != nil {
				return err
			}
			fc.view = lobby
			if err := c.SendLine("/join " + fc.room); err != nil {
				return err
			}
			if err := fullNoticesUntil(fc, l.byName, nowInLine(fc.room)); err != nil {
				return err
			}
			fc.view, err = fullPresence(fc, l.byName)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	members := l.members()
	return l.readAll(func(fc *fullClient) error { return fullSettle(fc, members[fc.room], l.byName) })
}

// talk has every client send n lines to its room, then one private message to the
// client perm chooses (perhaps itself), and every client read exactly what is meant
// for it: the lines of the others in its room and the private messages sent to it, each
// sender's in the order sent.
func (l *fullLoad) talk(tag string, n int, perm []int) error {
	want := map[string]map[string][]string{} // want[to][from]: lines in order
	add := func(to, from, line string) {
		if want[to] == nil {
			want[to] = map[string][]string{}
		}
		want[to][from] = append(want[to][from], line)
	}
	members := l.members()
	for i, fc := range l.clients {
		if fc.c == nil {
			continue
		}
		for k := 1; k <= n; k++ {
			for other := range members[fc.room] {
				if other != fc.name {
					add(other, fc.name, fmt.Sprintf("[%s] %s%d from %s", fc.name, tag, k, fc.name))
				}
			}
		}
		if to := l.clients[perm[i]]; to.c != nil {
			add(to.name, fc.name, privateLine(fc.name, fmt.Sprintf("%s for %s", tag, to.name)))
		}
	}
	err := l.each(func(*fullClient) bool { return true }, func(fc *fullClient) error {
		var b strings.Builder
		for k := 1; k <= n; k++ {
			fmt.Fprintf(&b, "%s%d from %s\n", tag, k, fc.name)
		}
		to := l.clients[perm[fc.index]]
		if to.c != nil {
			fmt.Fprintf(&b, "/msg %s %s for %s\n", to.name, tag, to.name)
		}
		return fc.c.Send(b.String())
	})
	if err != nil {
		return err
	}
	return l.readAll(func(fc *fullClient) error {
		d := delivery{explain: func(string) string {
			return "a chat line goes to the others in the sender's room only, a private message only to the one named, each once, in the order sent"
		}}
		for _, from := range slices.Sorted(maps.Keys(want[fc.name])) {
			d.seqs = append(d.seqs, want[fc.name][from])
		}
		_, err := d.read(fc.c)
		return err
	})
}

// move sends places 0, 5, 10 and 15 of each room to the next room, all at once; then
// every client reads notices until its view of its room is the room's new membership.
func (l *fullLoad) move() error {
	isMover := func(fc *fullClient) bool { return fc.place%5 == 0 }
	for _, fc := range l.clients {
		if isMover(fc) {
			fc.room = fullRoomName((fc.index%fullRooms + 1) % fullRooms)
		}
	}
	err := l.each(isMover, func(fc *fullClient) error { return fc.c.SendLine("/join " + fc.room) })
	if err != nil {
		return err
	}
	members := l.members()
	return l.readAll(func(fc *fullClient) error {
		if isMover(fc) {
			if err := fullNoticesUntil(fc, l.byName, nowInLine(fc.room)); err != nil {
				return err
			}
			view, err := fullPresence(fc, l.byName)
			if err != nil {
				return err
			}
			fc.view = view
		}
		return fullSettle(fc, members[fc.room], l.byName)
	})
}

// leave takes places 3 and 13 of each room away, a third each by /quit, a reset and a
// close; then everyone else reads the left notices of its room. The two leavers of a
// room always leave in different ways, and those who /quit go first, on their own, so
// that nothing else happens in their room between their "* Bye!" and their close.
func (l *fullLoad) leave() error {
	isLeaver := func(fc *fullClient) bool { return fc.place%10 == 3 }
	quits := func(fc *fullClient) bool { return isLeaver(fc) && fc.index%3 == 0 }
	err := l.each(quits, func(fc *fullClient) error {
		return quit(fc.c)
	})
	if err != nil {
		return err
	}
	err = l.each(func(fc *fullClient) bool { return isLeaver(fc) && !quits(fc) }, func(fc *fullClient) error {
		if fc.index%3 == 1 {
			return fc.c.Abort()
		}
		return fc.c.Close()
	})
	if err != nil {
		return err
	}
	for _, fc := range l.clients {
		if isLeaver(fc) {
			fc.c = nil
		}
	}
	members := l.members()
	return l.readAll(func(fc *fullClient) error { return fullSettle(fc, members[fc.room], l.byName) })
}

// census asks every client /who, which must list exactly its room, and one client
// /rooms, which must count every room exactly.
func (l *fullLoad) census() error {
	members := l.members()
	asker := l.clients[slices.IndexFunc(l.clients, func(fc *fullClient) bool { return fc.c != nil })]
	err := l.each(func(*fullClient) bool { return true }, func(fc *fullClient) error {
		if err := ask(fc.c, "/who", whoReply(fc.room, slices.Collect(maps.Keys(members[fc.room]))...)); err != nil {
			return client.WithHint(err, "after every join, move and leave has been told, /who lists exactly the members of the room")
		}
		return nil
	})
	if err != nil {
		return err
	}
	counts := map[string]int{"lobby": 0}
	for name, m := range members {
		counts[name] = len(m)
	}
	return ask(asker.c, "/rooms", roomsReply(counts))
}

// fullPresence reads fc's presence line and returns the others it names, checking that
// they are workload clients, sorted, and not fc itself.
func fullPresence(fc *fullClient, known map[string]*fullClient) (map[string]bool, error) {
	line, err := fc.c.ExpectLine(client.Prefix(presencePrefix))
	if err != nil {
		return nil, client.WithHint(err, "a client that enters a room is told who is there")
	}
	view := map[string]bool{}
	rest := strings.TrimPrefix(line, presencePrefix)
	if rest == "" {
		return view, nil
	}
	names := strings.Split(rest, ", ")
	for _, n := range names {
		if known[n] == nil || n == fc.name || view[n] {
			return nil, client.Failf(fc.name, "a presence line naming the others in the room once each", "%q", line)
		}
		view[n] = true
	}
	if !slices.IsSorted(names) {
		return nil, client.Failf(fc.name, "a presence line with the names sorted", "%q", line)
	}
	return view, nil
}

// fullNotice applies an entered or left notice to fc's view of its room; any other line,
// or a notice that contradicts what fc was told before, is an error.
func fullNotice(fc *fullClient, known map[string]*fullClient, line string) error {
	if name, ok := strings.CutSuffix(strings.TrimPrefix(line, "* "), " has entered the room"); ok && known[name] != nil && name != fc.name && !fc.view[name] {
		fc.view[name] = true
		return nil
	}
	if name, ok := strings.CutSuffix(strings.TrimPrefix(line, "* "), " has left the room"); ok && fc.view[name] {
		delete(fc.view, name)
		return nil
	}
	present := slices.Sorted(maps.Keys(fc.view))
	return &client.Error{Client: fc.name, Want: "an entered notice for someone not in its room or a left notice for someone in it",
		Got:    "the line " + client.Quote(line+"\n", 200),
		Detail: fmt.Sprintf("  it had been told that %d others are in its room: %s", len(present), strings.Join(present, ", ")),
		Hint:   "each client hears of every arrival and departure in its room, once, in the order they happened, and of nothing in other rooms"}
}

// fullNoticesUntil reads notices of fc's current room until the line until.
func fullNoticesUntil(fc *fullClient, known map[string]*fullClient, until string) error {
	for i := 0; i <= 2*fullClients; i++ {
		line, err := fc.c.ReadLine()
		if err != nil {
			return client.WithHint(err, "waiting for "+client.Quote(until, 0))
		}
		if line == until {
			return nil
		}
		if err := fullNotice(fc, known, line); err != nil {
			return err
		}
	}
	return client.Failf(fc.name, client.Quote(until, 0), "too many notices first")
}

// fullSettle reads notices until fc's view of its room is exactly members (fc aside).
func fullSettle(fc *fullClient, members map[string]bool, known map[string]*fullClient) error {
	for i := 0; ; i++ {
		if len(fc.view) == len(members)-1 && !slices.ContainsFunc(slices.Collect(maps.Keys(fc.view)), func(n string) bool { return !members[n] }) {
			return nil
		}
		if i > 2*fullClients {
			return client.Failf(fc.name, "its room's notices to end", "too many of them")
		}
		line, err := fc.c.ReadLine()
		if err != nil {
			missing, extra := fullDiff(fc, members)
			return client.WithHint(err, fmt.Sprintf("it still expected to hear that %s entered its room, and that %s left it", orNobody(missing), orNobody(extra)))
		}
		if err := fullNotice(fc, known, line); err != nil {
			return err
		}
	}
}

// fullDiff returns who is in members but not in fc's view, and the other way round.
func fullDiff(fc *fullClient, members map[string]bool) (missing, extra []string) {
	for n := range members {
		if n != fc.name && !fc.view[n] {
			missing = append(missing, n)
		}
	}
	for n := range fc.view {
		if !members[n] {
			extra = append(extra, n)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return missing, extra
}

func orNobody(names []string) string {
	if len(names) == 0 {
		return "nobody"
	}
	return strings.Join(names, ", ")
}
