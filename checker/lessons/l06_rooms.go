package lessons

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// rooms is lesson 06: named rooms and commands.
func rooms() scenario.Lesson {
	return scenario.Lesson{
		Number: 6, Slug: "06-rooms", Title: "rooms and commands",
		Scenarios: []scenario.Scenario{
			{Name: "commands", Doc: "/help answers, mistakes get an error line and the connection stays usable, // sends a chat line",
				Run:  roomsCommands,
				Hint: "step 1: a line starting with / is a command, never a chat message: answer /help, and answer an unknown command or bad arguments with an error line"},
			{Name: "quit", Doc: "/quit says goodbye and closes the connection, and the room is told",
				Run:  roomsQuit,
				Hint: "step 1: /quit replies `* Bye!`, then the session ends as if the client had left"},
			{Name: "join-and-who", Doc: "/join moves a member between rooms with the right notices in each, and /who lists the sender's room",
				Run:  roomsJoinAndWho,
				Hint: "step 2: /join leaves the old room (its members are told), then enters the new one (its members are told, the mover gets the presence line)"},
			{Name: "rooms-list", Doc: "/rooms lists every room with its member count, sorted, the lobby always",
				Run:  roomsList,
				Hint: "step 2: a room other than the lobby exists while it has members: delete it when its last member leaves"},
			{Name: "room-isolation", Doc: "messages and notices reach only the members of the sender's room",
				Run:  roomsIsolation,
				Hint: "step 2: a chat line, an entered notice and a left notice go only to the members of the sender's room"},
			{Name: "private-msg", Doc: "/msg reaches the named client in any room and nobody else",
				Run:  roomsPrivateMsg,
				Hint: "step 3: /msg NAME TEXT sends `[SENDER (private)] TEXT` to NAME, wherever NAME is, and to nobody else"},
			{Name: "many-rooms", Doc: "many clients move, talk, whisper and leave across six rooms: nothing leaks, nothing is lost, order holds",
				Run: roomsMany, Timeout: 40 * time.Second,
				Hint: "every event happens under one lock: a message goes to the members of its sender's room at the moment it is handled, and a move is one step"},
			{Name: "budget-chat", Doc: "a client that never sends a command sees Budget Chat in the lobby, as in lesson 04",
				Run:  exactBudgetChat,
				Hint: "without commands, the lobby must behave exactly as lesson 05's one room"},
		},
	}
}

// Lines of lesson 06's protocol (docs/protocol.md).
const (
	roomsHelp      = "* Commands: /join ROOM, /rooms, /who, /msg NAME TEXT, /quit, /help"
	roomsJoinUsage = "* Error: usage: /join ROOM (1 to 32 letters, digits, - or _)"
	roomsMsgUsage  = "* Error: usage: /msg NAME TEXT"
)

func roomsAlreadyIn(room string) string { return "* You are already in " + room }
func roomsUnknown(cmd string) string    { return "* Error: unknown command " + cmd + " (try /help)" }
func roomsUsage(cmd string) string      { return "* Error: usage: " + cmd }
func roomsNobody(name string) string    { return "* Error: nobody called " + name + " is here" }

// roomsMove sends /join to from c, which is in a room with stay, and expects the replies
// to c and the notices to stay and to others, the members of to.
func roomsMove(c *client.Conn, to string, stay, others []*client.Conn) error {
	names := make([]string, len(others))
	for i, o := range others {
		names[i] = o.Name()
	}
	if err := ask(c, "/join "+to, nowInLine(to), presenceLine(names...)); err != nil {
		return err
	}
	if err := expectEach(stay, leftLine(c.Name())); err != nil {
		return client.WithHint(err, "the members of the room a client leaves are told `* NAME has left the room`")
	}
	if err := expectEach(others, enteredLine(c.Name())); err != nil {
		return client.WithHint(err, "the members of the room a client enters are told `* NAME has entered the room`")
	}
	return nil
}

func roomsCommands(env *scenario.Env) error {
	c, err := joinAll(env, "alice", "bob")
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	steps := []struct{ send, reply, hint string }{
		{"/help", roomsHelp, "a line starting with / is a command, never a chat message: /help replies with the list of commands, to the sender only"},
		{"/nope", roomsUnknown("/nope"), "an unknown command gets an error line, and the connection stays open"},
		{"/Help", roomsUnknown("/Help"), "a command's name is case-sensitive: /Help is not /help"},
		{"/nope with words", roomsUnknown("/nope"), "the command is the first word of the line"},
		{"/help me", roomsUsage("/help"), "/help takes no arguments"},
		{"/rooms all", roomsUsage("/rooms"), "/rooms takes no arguments"},
		{"/who else", roomsUsage("/who"), "/who takes no arguments"},
		{"/quit now", roomsUsage("/quit"), "/quit takes no arguments: with one it is a mistake, and the client stays"},
		{"/", roomsUnknown("/"), "a lone / is an unknown command"},
	}
	for _, s := range steps {
		if err := ask(alice, s.send, s.reply); err != nil {
			return client.WithHint(err, "step 1: "+s.hint)
		}
	}
	// The commands were not chat: the first thing bob hears is alice's escaped slash.
	if err := alice.SendLine("//shrug"); err != nil {
		return err
	}
	if err := expect(bob, saidLine("alice", "/shrug")); err != nil {
		return client.WithHint(err, "step 1: commands are never relayed to the room, and a line starting with // is a chat line without its first /")
	}
	if err := alice.SendLine("still here"); err != nil {
		return err
	}
	return expect(bob, saidLine("alice", "still here"))
}

func roomsQuit(env *scenario.Env) error {
	c, err := joinAll(env, "alice", "bob")
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	if err := ask(bob, "/quit", byeLine); err != nil {
		return err
	}
	if err := bob.ExpectClosed(); err != nil {
		return client.WithHint(err, "step 1: after `* Bye!` the server closes the connection")
	}
	if err := expect(alice, leftLine("bob")); err != nil {
		return client.WithHint(err, "step 1: a client that quits leaves its room like any other: the room is told")
	}
	// The name is free again.
	_, err = join(env, "bob", "alice")
	return err
}

func roomsJoinAndWho(env *scenario.Env) error {
	c, err := joinAll(env, "alice", "bob", "carol")
	if err != nil {
		return err
	}
	alice, bob, carol := c[0], c[1], c[2]
	if err := ask(alice, "/who", whoReply("lobby", "alice", "bob", "carol")); err != nil {
		return client.WithHint(err, "step 2: /who lists the members of the sender's room, the sender included, sorted")
	}
	if err := roomsMove(bob, "red", []*client.Conn{alice, carol}, nil); err != nil {
		return err
	}
	if err := roomsMove(carol, "red", []*client.Conn{alice}, []*client.Conn{bob}); err != nil {
		return err
	}
	if err := ask(carol, "/who", whoReply("red", "bob", "carol")); err != nil {
		return err
	}
	if err := ask(carol, "/join red", roomsAlreadyIn("red")); err != nil {
		return err
	}
	for _, bad := range []string{"/join", "/join two words", "/join a.b", "/join " + strings.Repeat("r", 33)} {
		if err := ask(carol, bad, roomsJoinUsage); err != nil {
			return client.WithHint(err, "step 2: a room's name is 1 to 32 letters, digits, - or _; anything else gets the usage line and nobody moves")
		}
	}
	if err := roomsMove(carol, "Team_2-b", []*client.Conn{bob}, nil); err != nil {
		return err
	}
	if err := roomsMove(bob, "lobby", nil, []*client.Conn{alice}); err != nil {
		return err
	}
	if err := ask(alice, "/who", whoReply("lobby", "alice", "bob")); err != nil {
		return err
	}
	return ask(carol, "/who", whoReply("Team_2-b", "carol"))
}

func roomsList(env *scenario.Env) error {
	alice, err := join(env, "alice")
	if err != nil {
		return err
	}
	if err := ask(alice, "/rooms", roomsReply(map[string]int{"lobby": 1})); err != nil {
		return client.WithHint(err, "step 2: /rooms lists every room as `NAME (COUNT)`, sorted by name, joined with \", \"")
	}
	if err := roomsMove(alice, "zeta", nil, nil); err != nil {
		return err
	}
	if err := ask(alice, "/rooms", roomsReply(map[string]int{"lobby": 0, "zeta": 1})); err != nil {
		return client.WithHint(err, "step 2: the lobby is always listed, even when it is empty")
	}
	bob, err := join(env, "bob")
	if err != nil {
		return err
	}
	if err := roomsMove(bob, "Alpha", nil, nil); err != nil {
		return err
	}
	// Byte order: upper case sorts before lower case.
	if err := ask(bob, "/rooms", roomsReply(map[string]int{"lobby": 0, "zeta": 1, "Alpha": 1})); err != nil {
		return err
	}
	if err := roomsMove(alice, "Alpha", nil, []*client.Conn{bob}); err != nil {
		return err
	}
	if err := ask(alice, "/rooms", roomsReply(map[string]int{"lobby": 0, "Alpha": 2})); err != nil {
		return client.WithHint(err, "step 2: zeta's last member left, so zeta no longer exists")
	}
	if err := roomsMove(alice, "zeta", []*client.Conn{bob}, nil); err != nil {
		return client.WithHint(err, "step 2: a room that was deleted can be made again")
	}
	return ask(bob, "/rooms", roomsReply(map[string]int{"lobby": 0, "zeta": 1, "Alpha": 1}))
}

func roomsIsolation(env *scenario.Env) error {
	c, err := joinAll(env, "ann", "ben")
	if err != nil {
		return err
	}
	ann, ben := c[0], c[1]
	if err := roomsMove(ann, "red", []*client.Conn{ben}, nil); err != nil {
		return err
	}
	if err := roomsMove(ben, "red", nil, []*client.Conn{ann}); err != nil {
		return err
	}
	cat, err := join(env, "cat")
	if err != nil {
		return client.WithHint(err, "step 2: the presence line lists the newcomer's room only: ann and ben are in red")
	}
	dan, err := join(env, "dan", "cat")
	if err != nil {
		return err
	}
	if err := expect(cat, enteredLine("dan")); err != nil {
		return err
	}
	// Each room talks; each message must reach its own room, in turn.
	if err := ann.SendLine("hello red"); err != nil {
		return err
	}
	if err := expect(ben, saidLine("ann", "hello red")); err != nil {
		return err
	}
	if err := cat.SendLine("hello lobby"); err != nil {
		return err
	}
	if err := expect(dan, saidLine("cat", "hello lobby")); err != nil {
		return err
	}
	if err := dan.Close(); err != nil {
		return err
	}
	if err := expect(cat, leftLine("dan")); err != nil {
		return err
	}
	// Nothing else reached anyone: each one's next line is its /who reply.
	for _, c := range []struct {
		c       *client.Conn
		room    string
		members []string
	}{{ann, "red", []string{"ann", "ben"}}, {ben, "red", []string{"ann", "ben"}}, {cat, "lobby", []string{"cat"}}} {
		if err := ask(c.c, "/who", whoReply(c.room, c.members...)); err != nil {
			return client.WithHint(err, "step 2: "+c.c.Name()+" got a line from another room: messages, entered and left notices go only to the sender's room")
		}
	}
	return nil
}

func roomsPrivateMsg(env *scenario.Env) error {
	c, err := joinAll(env, "alice", "bob")
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	if err := roomsMove(bob, "red", []*client.Conn{alice}, nil); err != nil {
		return err
	}
	carol, err := join(env, "carol", "alice")
	if err != nil {
		return err
	}
	if err := expect(alice, enteredLine("carol")); err != nil {
		return err
	}
	if err := alice.SendLine("/msg bob psst, two  spaces"); err != nil {
		return err
	}
	if err := expect(bob, privateLine("alice", "psst, two  spaces")); err != nil {
		return client.WithHint(err, "step 3: /msg NAME TEXT reaches NAME in any room, as `[SENDER (private)] TEXT`, TEXT exactly as sent")
	}
	if err := ask(bob, "/msg bob note to self", privateLine("bob", "note to self")); err != nil {
		return client.WithHint(err, "step 3: a client may send a private message to itself")
	}
	for _, bad := range []struct{ send, reply string }{
		{"/msg nobody hi", roomsNobody("nobody")},
		{"/msg Bob hi", roomsNobody("Bob")},
		{"/msg bob", roomsMsgUsage},
		{"/msg", roomsMsgUsage},
	} {
		if err := ask(alice, bad.send, bad.reply); err != nil {
			return client.WithHint(err, "step 3: /msg without a name and a text gets the usage line; /msg to a name nobody has gets `* Error: nobody called NAME is here`")
		}
	}
	// The private message reached nobody else: carol's and alice's next lines are the
	// replies to their own /who.
	if err := ask(carol, "/who", whoReply("lobby", "alice", "carol")); err != nil {
		return client.WithHint(err, "step 3: a private message goes to the named client only")
	}
	return ask(alice, "/who", whoReply("lobby", "alice", "carol"))
}

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
