package lessons

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// This file holds lesson 10's mixed workload: a thousand clients in fifty rooms, whose
// every delivery is known from the plan.

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
