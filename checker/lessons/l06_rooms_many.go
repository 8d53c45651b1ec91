package lessons

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// This file holds lesson 06's many-rooms scenario: a model of who is in which room,
// waves of moves and departures, and rounds of messages checked against the model.

// The big scenario: clients join, move, whisper, talk and leave across several rooms.
// It runs in phases so that it is exact without depending on timing. Everyone joins the
// lobby and most move to other rooms, one at a time; then each phase is a few waves of
// events, then a round of messages:
//
//   - In a wave, several events (a move, a newcomer, a /quit, a disconnect) happen at
//     once, but no two touch the same room, so every client's next lines are known.
//   - In a round of messages nobody moves: every client sends a few lines (to its room,
//     or privately to anyone), then /who. Each client must get exactly the lines meant
//     for it, each sender's in order, and its /who reply after its own private notes.
//
// Each wave and round ends only when every client has read everything due, so a line
// that leaked shows up as an unexpected line at the latest in the next read.
const (
	roomsPeople   = 16 // clients at the start
	roomsPhases   = 12
	roomsWaves    = 2 // waves of events per phase
	roomsMessages = 5 // lines each client sends per round
)

var roomsNames = []string{"lobby", "red", "green", "blue", "gold", "teal"}

// roomsModel is what the checker knows of the server: who is connected, and where.
type roomsModel struct {
	conns    map[string]*client.Conn // connected, joined clients by name
	room     map[string]string       // each client's room
	arrivals int                     // newcomers so far, for their names
}

// members returns the names of the clients in room, sorted.
func (m *roomsModel) members(room string) []string {
	var out []string
	for name, r := range m.room {
		if r == room {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func (m *roomsModel) names() []string {
	var out []string
	for name := range m.conns {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func (m *roomsModel) counts() map[string]int {
	counts := map[string]int{}
	for _, r := range m.room {
		counts[r]++
	}
	return counts
}

// roomsEvent is one thing that happens in a wave.
type roomsEvent struct {
	kind string // "move", "arrive", "quit", "close" or "reset"
	who  string
	from string // the room it touches first
	to   string // for a move, the room it enters
}

func roomsMany(env *scenario.Env) error {
	m := &roomsModel{conns: map[string]*client.Conn{}, room: map[string]string{}}
	// Everyone joins the lobby, one after the other, so each is told of the later ones.
	due := map[string][]string{}
	for i := 1; i <= roomsPeople; i++ {
		name := fmt.Sprintf("u%02d", i)
		others := m.members("lobby")
		c, err := join(env, name, others...)
		if err != nil {
			return err
		}
		for _, o := range others {
			due[o] = append(due[o], enteredLine(name))
		}
		m.conns[name], m.room[name] = c, "lobby"
	}
	if err := roomsReadDue(m, due); err != nil {
		return err
	}
	// Most of them spread out over the other rooms, one after the other.
	for _, name := range m.names() {
		if env.Rand.Intn(4) == 0 {
			continue
		}
		e := roomsEvent{kind: "move", who: name, from: "lobby", to: roomsNames[1+env.Rand.Intn(len(roomsNames)-1)]}
		if err := roomsRunWave(env, m, []roomsEvent{e}); err != nil {
			return err
		}
	}
	for phase := 1; phase <= roomsPhases; phase++ {
		for wave := 1; wave <= roomsWaves; wave++ {
			events := roomsPlanWave(env, m)
			env.Note("phase %d, wave %d: %s", phase, wave, roomsDescribe(events))
			if err := roomsRunWave(env, m, events); err != nil {
				return err
			}
		}
		env.Note("phase %d: a round of messages; rooms: %s", phase, roomsReply(m.counts()))
		if err := roomsRound(env, m, phase); err != nil {
			return err
		}
		first := m.conns[m.names()[0]]
		if err := ask(first, "/rooms", roomsReply(m.counts())); err != nil {
			return client.WithHint(err, "/rooms must count the members of every room as they are now; a room with no members other than the lobby is gone")
		}
	}
	// Nothing is left over anywhere: each client's next line is its /who reply.
	var g errgroup.Group
	for name, c := range m.conns {
		g.Go(func() error {
			return ask(c, "/who", whoReply(m.room[name], m.members(m.room[name])...))
		})
	}
	return g.Wait()
}

// roomsPlanWave draws a few events that touch pairwise different rooms.
func roomsPlanWave(env *scenario.Env, m *roomsModel) []roomsEvent {
	busy := map[string]bool{}
	var events []roomsEvent
	names := m.names()
	for try := 0; try < 12 && len(events) < 3; try++ {
		var e roomsEvent
		n := env.Rand.Intn(10)
		switch {
		case n < 6:
			e.kind, e.who = "move", names[env.Rand.Intn(len(names))]
			e.from, e.to = m.room[e.who], roomsNames[env.Rand.Intn(len(roomsNames))]
		case n < 8 || len(names) < roomsPeople*3/4: // keep the crowd from dwindling
			e.kind, e.who, e.from = "arrive", fmt.Sprintf("new%02d", m.arrivals+1), "lobby"
		default:
			e.kind, e.who = []string{"quit", "close", "reset"}[env.Rand.Intn(3)], names[env.Rand.Intn(len(names))]
			e.from = m.room[e.who]
		}
		if busy[e.from] || e.to != "" && (busy[e.to] || e.to == e.from) ||
			slices.ContainsFunc(events, func(o roomsEvent) bool { return o.who == e.who }) {
			continue
		}
		if e.kind == "arrive" {
			m.arrivals++
		}
		busy[e.from] = true
		if e.to != "" {
			busy[e.to] = true
		}
		events = append(events, e)
	}
	return events
}

func roomsDescribe(events []roomsEvent) string {
	var parts []string
	for _, e := range events {
		switch e.kind {
		case "move":
			parts = append(parts, fmt.Sprintf("%s moves from %s to %s", e.who, e.from, e.to))
		case "arrive":
			parts = append(parts, e.who+" joins")
		default:
			parts = append(parts, fmt.Sprintf("%s leaves %s (%s)", e.who, e.from, e.kind))
		}
	}
	if len(parts) == 0 {
		return "nothing happens"
	}
	return strings.Join(parts, "; ")
}

// roomsRunWave makes the events of one wave happen at once, then has every client read
// exactly what each event means for it, and updates the model.
func roomsRunWave(env *scenario.Env, m *roomsModel, events []roomsEvent) error {
	// What the others are told. The rooms of two events differ, so each client is due
	// at most one line.
	due := map[string][]string{}
	for _, e := range events {
		notice := leftLine(e.who)
		if e.kind == "arrive" {
			notice = enteredLine(e.who)
		}
		for _, o := range m.members(e.from) {
			if o != e.who {
				due[o] = append(due[o], notice)
			}
		}
		if e.kind == "move" {
			for _, o := range m.members(e.to) {
				due[o] = append(due[o], enteredLine(e.who))
			}
		}
	}
	var g errgroup.Group
	arrived := make([]*client.Conn, len(events)) // each newcomer's goroutine sets its own
	for i, e := range events {
		c := m.conns[e.who]
		switch e.kind {
		case "move":
			others := m.members(e.to)
			g.Go(func() error { return ask(c, "/join "+e.to, nowInLine(e.to), presenceLine(others...)) })
		case "arrive":
			others := m.members("lobby")
			g.Go(func() error {
				var err error
				arrived[i], err = join(env, e.who, others...)
				return err
			})
		case "quit":
			g.Go(func() error {
				if err := ask(c, "/quit", byeLine); err != nil {
					return err
				}
				return c.ExpectClosed()
			})
		case "close":
			g.Go(c.Close)
		case "reset":
			g.Go(c.Abort)
		}
	}
	for name, lines := range due {
		c := m.conns[name]
		g.Go(func() error { return expect(c, lines...) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, e := range events {
		switch e.kind {
		case "move":
			m.room[e.who] = e.to
		case "arrive":
			m.conns[e.who], m.room[e.who] = arrived[i], "lobby"
		default:
			delete(m.conns, e.who)
			delete(m.room, e.who)
		}
	}
	return nil
}

// roomsReadDue has every client read its due lines, in order, concurrently.
func roomsReadDue(m *roomsModel, due map[string][]string) error {
	var g errgroup.Group
	for name, lines := range due {
		c := m.conns[name]
		g.Go(func() error { return expect(c, lines...) })
	}
	return g.Wait()
}

// roomsLine is one line a client sends in a round of messages.
type roomsLine struct {
	text string
	to   string // empty for a chat line, else the recipient of a private message
}

func (l roomsLine) send() string {
	if l.to == "" {
		return l.text
	}
	return "/msg " + l.to + " " + l.text
}

// roomsRound is a round of messages: everyone sends roomsMessages lines and /who at
// once, then reads exactly what is meant for it.
func roomsRound(env *scenario.Env, m *roomsModel, phase int) error {
	names := m.names()
	sent := map[string][]roomsLine{}
	for _, name := range names {
		for k := 1; k <= roomsMessages; k++ {
			if env.Rand.Intn(10) < 3 {
				to := names[env.Rand.Intn(len(names))]
				sent[name] = append(sent[name], roomsLine{text: fmt.Sprintf("p%d psst %d from %s", phase, k, name), to: to})
			} else {
				sent[name] = append(sent[name], roomsLine{text: fmt.Sprintf("p%d line %d from %s in %s", phase, k, name, m.room[name])})
			}
		}
	}
	var g errgroup.Group
	for _, me := range names {
		c := m.conns[me]
		var out []string
		want := delivery{explain: func(line string) string { return roomsExplain(m, me, line) }}
		for _, from := range names {
			var seq []string
			for _, l := range sent[from] {
				switch {
				case l.to == me:
					seq = append(seq, privateLine(from, l.text))
				case l.to == "" && from != me && m.room[from] == m.room[me]:
					seq = append(seq, saidLine(from, l.text))
				}
			}
			if from == me {
				for _, l := range sent[me] {
					out = append(out, l.send())
				}
				// The reply to /who comes after this client's notes to itself.
				seq = append(seq, whoReply(m.room[me], m.members(m.room[me])...))
			}
			if len(seq) > 0 {
				want.seqs = append(want.seqs, seq)
			}
		}
		out = append(out, "/who")
		g.Go(func() error {
			if err := c.Send(strings.Join(out, "\n") + "\n"); err != nil {
				return err
			}
			_, err := want.read(c)
			return err
		})
	}
	return g.Wait()
}

// roomsExplain says what is wrong with a line that client me did not expect.
func roomsExplain(m *roomsModel, me, line string) string {
	from, _, ok := strings.Cut(strings.TrimPrefix(line, "["), "] ")
	if !strings.HasPrefix(line, "[") || !ok {
		return ""
	}
	if sender, private := strings.CutSuffix(from, " (private)"); private {
		return fmt.Sprintf("a private message from %s reached %s, who was not its recipient", sender, me)
	}
	if r, ok := m.room[from]; ok && r != m.room[me] {
		return fmt.Sprintf("a message from %s, in room %s, leaked to %s, in room %s: a chat line goes only to its sender's room", from, r, me, m.room[me])
	}
	return ""
}
