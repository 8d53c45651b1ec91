package lessons

import (
	"strings"
	"time"

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
