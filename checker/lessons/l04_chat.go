package lessons

import (
	"fmt"
	"time"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// chat is lesson 04: one room that speaks Protohackers' Budget Chat.
//
// The scenarios hold a server to the public Budget Chat spec, not to our wording, so that
// any Budget Chat server passes: a notice is any line starting with "*" that names the
// right clients as whole words, the welcome is any one line, a server may send an error
// line before closing on an illegal name or close at once, and it may refuse or allow a
// duplicate name. Every client name is drawn from the seeded source and mixes letters
// and digits ("alice42"), so it never collides with a word of a server's wording.
func chat() scenario.Lesson {
	return scenario.Lesson{
		Number: 4, Slug: "04-chat", Title: "single-room chat",
		Scenarios: []scenario.Scenario{
			{Name: "join", Doc: "a client is welcomed, sends its name, and is told that the room is empty", Run: chatJoinEmpty,
				Hint: chatHintWelcome},
			{Name: "presence", Doc: "each newcomer is told exactly who is there, and everyone else is told of the newcomer", Run: chatPresenceList,
				Hint: chatHintPresence},
			{Name: "relay", Doc: "a chat line reaches every other member as \"[NAME] TEXT\", and never its sender", Run: chatRelay,
				Hint: chatHintRelay},
			{Name: "unjoined", Doc: "a client that has not sent its name yet hears nothing but the welcome", Run: chatUnjoined,
				Hint: chatHintUnjoined},
			{Name: "split-lines", Doc: "a name and chat lines trickled in pieces are read as whole lines", Run: chatSplitLines,
				Hint: chatHintFraming},
			{Name: "coalesced-lines", Doc: "several lines in one write, the name line included, are each read and relayed in order", Run: chatCoalescedLines,
				Hint: chatHintCoalesced},
			{Name: "long-message", Doc: "a chat message of 1000 characters is relayed whole", Run: chatLongMessage,
				Hint: "a chat line may be up to 4096 bytes (Budget Chat asks for at least 1000 characters): read whole lines, however long, and relay them unchanged"},
			{Name: "order", Doc: "four clients talking at once: each one's lines reach the others in the order sent", Run: chatOrder,
				Hint: chatHintOrder},
			{Name: "long-name", Doc: "a 16-character name is accepted", Run: chatLongName,
				Hint: "step 1: names of 1 to 32 letters or digits are legal (Budget Chat requires at least 16 to be allowed)"},
			{Name: "bad-names", Doc: "an empty name, or one with a space or punctuation, is refused with a close, and nobody hears of it", Run: chatBadNames,
				Hint: chatHintName},
			{Name: "duplicate-name", Doc: "a name already in use is either refused (the connection closes) or allowed, and either way the room stays consistent", Run: chatDuplicateName,
				Hint: "step 2: r.join refuses a name that is already in the room (it returns false), and handle then queues the error line and returns, which closes the connection"},
			{Name: "leave", Doc: "when a member closes its connection, everyone else is told it has left, and later newcomers do not see it", Run: chatLeave,
				Hint: chatHintLeft},
			{Name: "reset", Doc: "a member whose connection is reset (a crash, a pulled cable) leaves like any other", Run: chatReset,
				Hint: chatHintLeft},
			{Name: "leave-before-join", Doc: "a client that disconnects before it has joined causes no message at all", Run: chatLeaveBeforeJoin,
				Hint: "step 4: only a client that has joined can leave: defer r.leave(me) only after r.join has succeeded"},
			{Name: "long-line", Doc: "a line too long for the server is relayed, or its sender is disconnected and announced as gone", Run: chatLongLine,
				Hint: "step 4: when the server closes a member itself (here, for a line that is too long), that member has left the room too: everyone else must be told"},
			{Name: "crowd", Doc: "31 clients join, talk and leave at once: every line reaches every other member exactly once, in order", Run: chatCrowd,
				Timeout: 40 * time.Second,
				Hint:    "with many clients at once every change of the room and every broadcast must happen under the room's mutex, each member's lines must go through its own queue, and the sender is never among the recipients"},
		},
	}
}

// The lesson's hints, by step. A failing wait attaches the one that fits it.
const (
	chatHintWelcome  = "step 1: as soon as a client connects, queue the welcome line on its out channel; its writer goroutine sends it"
	chatHintPresence = "step 2: once the name is valid, r.join queues for the newcomer one line starting with \"*\" that lists everyone already in the room, and not the newcomer itself"
	chatHintEntered  = "step 2: r.join tells every member already in the room, and not the newcomer, that the newcomer has entered: a line starting with \"*\" that contains its name"
	chatHintRelay    = "step 3: r.say queues \"[NAME] TEXT\" for every member except the sender, exactly: '[', the sender's name, ']', one space, the text"
	chatHintEcho     = "step 3: a chat line goes to every member except its sender: broadcastLocked must skip the member called except"
	chatHintUnjoined = "a client that has not sent a valid name is not in the room: it gets the welcome line and nothing else until it joins (only r.join adds members, and broadcasts go to members only)"
	chatHintName     = "step 1: a name is 1 or more letters or digits (validName): for any other first line queue the error line and return, so that the connection closes before the room hears of it"
	chatHintLeft     = "step 4: when a joined client's session ends, however it ends (a close, a reset, a read error), r.leave removes it and tells everyone still in the room with a line starting with \"*\" that contains its name: defer r.leave(me) right after joining"
	chatHintFraming  = "the lines came in pieces, or several in one write: read lines, not reads, since one Read may return part of a line or several lines. Keep one bufio.Reader for the whole connection, the name included, and take line after line from it"
	// Lines that come together fail a server that reads badly, and one that relays
	// each line in a goroutine of its own, which reorders them: the hint names both.
	chatHintCoalesced = "read lines, not reads (one Read may return several lines), with one bufio.Reader for the whole connection, the name included; and relay each line before reading the next (no goroutine per line), so that they stay in order"
	chatHintOrder     = "step 3: relay each line before reading the next one (no goroutine per line), under the room's lock, so one sender's lines reach everyone in the order they were sent"
)

// chatJoinEmpty: the first client of an empty room.
func chatJoinEmpty(env *scenario.Env) error {
	n := budgetNames(env, "alice")
	_, err := budgetJoin(env, n[0], nil, nil)
	return err
}

// chatPresenceList lets four clients join one after another. Each newcomer's next line
// after its presence line must be the next newcomer's notice, which proves that nobody
// hears of its own arrival and nobody hears of an arrival twice.
func chatPresenceList(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob", "carol", "dave")
	var joined []*client.Conn
	for i, name := range n {
		c, err := budgetJoin(env, name, n[:i], n[i+1:])
		if err != nil {
			return err
		}
		if err := budgetExpectNotice(name, "the notice that it has entered", chatHintEntered, joined...); err != nil {
			return err
		}
		joined = append(joined, c)
	}
	return nil
}

func chatRelay(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob", "carol")
	c, err := budgetJoinAll(env, n)
	if err != nil {
		return err
	}
	alice, bob, carol := c[0], c[1], c[2]
	if err := budgetSay(alice, "hello everyone", chatHintRelay, bob, carol); err != nil {
		return err
	}
	// bob's line is the next thing alice may receive: her own line must not come back.
	if err := budgetSay(bob, "hi alice, how are you?", chatHintRelay, alice, carol); err != nil {
		return err
	}
	if err := budgetSay(carol, "* not a notice, [just] text", chatHintRelay, alice, bob); err != nil {
		return err
	}
	// A "\r\n" line ending may be relayed with or without the "\r" (Budget Chat lets a
	// server strip trailing whitespace).
	if err := alice.Send("sent with a CRLF\r\n"); err != nil {
		return err
	}
	want := "[" + alice.Name() + "] sent with a CRLF"
	crlf := client.Func(client.Quote(want+"\n", 0)+" (a \"\\r\" before the \"\\n\" may be kept or removed)",
		func(l string) bool { return l == want || l == want+"\r" })
	for _, to := range []*client.Conn{bob, carol} {
		if _, err := to.ExpectLine(crlf); err != nil {
			return client.WithHint(err, chatHintRelay)
		}
	}
	return budgetSay(carol, "fine, thanks", chatHintRelay, alice, bob)
}

// chatUnjoined keeps carol at the name prompt while the others join and talk. When she
// finally sends her name, the presence line must be the very next line she gets.
func chatUnjoined(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob", "carol")
	carol, err := budgetDial(env, n[2])
	if err != nil {
		return err
	}
	env.Note("%s is connected and has not sent its name", n[2])
	c, err := budgetJoinAll(env, n[:2], n[2])
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	if err := budgetSay(alice, "is anyone else here?", chatHintRelay, bob); err != nil {
		return err
	}
	if err := budgetSay(bob, "just us two", chatHintRelay, alice); err != nil {
		return err
	}
	if err := carol.SendLine(n[2]); err != nil {
		return err
	}
	if err := budgetExpectPresence(carol, n[:2], n[2:], chatHintUnjoined); err != nil {
		return err
	}
	return budgetExpectNotice(n[2], "the notice that it has entered", chatHintEntered, alice, bob)
}

func chatSplitLines(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob")
	bob, err := budgetJoin(env, n[1], nil, n[:1])
	if err != nil {
		return err
	}
	alice, err := budgetDial(env, n[0])
	if err != nil {
		return err
	}
	const gap = 5 * time.Millisecond // pacing, so each piece is a read of its own
	if err := alice.Trickle(n[0]+"\n", 2, gap); err != nil {
		return err
	}
	if err := budgetExpectPresence(alice, n[1:], n[:1], "the name was sent two bytes at a time: "+chatHintFraming); err != nil {
		return err
	}
	if err := budgetExpectNotice(n[0], "the notice that it has entered", chatHintEntered, bob); err != nil {
		return err
	}
	if err := budgetSay(bob, "hello, alice", chatHintRelay, alice); err != nil {
		return err
	}
	if err := alice.Trickle("hello, world\n", 3, gap); err != nil {
		return err
	}
	if err := budgetExpectSaid(bob, n[0], "hello, world", chatHintFraming); err != nil {
		return err
	}
	// The end of one line arrives with the start of the next.
	for _, piece := range []string{"abc", "\ndef", "\n"} {
		if err := alice.Send(piece); err != nil {
			return err
		}
		time.Sleep(gap)
	}
	if err := budgetExpectSaid(bob, n[0], "abc", chatHintFraming); err != nil {
		return err
	}
	return budgetExpectSaid(bob, n[0], "def", chatHintFraming)
}

func chatCoalescedLines(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob", "carol")
	c, err := budgetJoinAll(env, n[:2], n[2])
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	if err := budgetSay(alice, "carol is coming", chatHintRelay, bob); err != nil {
		return err
	}
	carol, err := budgetDial(env, n[2])
	if err != nil {
		return err
	}
	// The name and the first chat line in one write: a server that reads the name with
	// a reader of its own and then makes another loses the chat line.
	if err := carol.Send(n[2] + "\nfirst words\n"); err != nil {
		return err
	}
	if err := budgetExpectPresence(carol, n[:2], n[2:], ""); err != nil {
		return err
	}
	for _, to := range []*client.Conn{alice, bob} {
		if err := budgetExpectNotice(n[2], "the notice that it has entered", chatHintEntered, to); err != nil {
			return err
		}
		if err := budgetExpectSaid(to, n[2], "first words", n[2]+" sent a name and a first line in one write: "+chatHintFraming); err != nil {
			return err
		}
	}
	if err := alice.Send("one\ntwo\nthree\n"); err != nil {
		return err
	}
	for _, to := range []*client.Conn{bob, carol} {
		for _, text := range []string{"one", "two", "three"} {
			if err := budgetExpectSaid(to, n[0], text, n[0]+" sent three lines in one write: "+chatHintCoalesced); err != nil {
				return err
			}
		}
	}
	return nil
}

func chatLongMessage(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob")
	text := budgetText(env, 1000)
	c, err := budgetJoinAll(env, n)
	if err != nil {
		return err
	}
	return budgetSay(c[0], text, "", c[1])
}

func chatLongName(env *scenario.Env) error {
	n := budgetNames(env, "alice", "carol")
	long := fmt.Sprintf("sixteen%09d", env.Rand.Intn(1_000_000_000))
	alice, err := budgetJoin(env, n[0], nil, []string{long})
	if err != nil {
		return err
	}
	sixteen, err := budgetJoin(env, long, n[:1], nil)
	if err != nil {
		return err
	}
	if err := budgetExpectNotice(long, "the notice that it has entered", chatHintEntered, alice); err != nil {
		return err
	}
	if err := budgetSay(sixteen, "my name has 16 characters", chatHintRelay, alice); err != nil {
		return err
	}
	_, err = budgetJoin(env, n[1], []string{n[0], long}, nil)
	return err
}

// chatBadNames offers illegal names. Each must be refused with a close; then a newcomer's
// notice must be the next thing the member in the room hears.
func chatBadNames(env *scenario.Env) error {
	n := budgetNames(env, "alice", "zed", "bob")
	bad := []string{"", n[1] + " jr", n[1] + "!", n[1] + "_x", "[" + n[1] + "]"}
	alice, err := budgetJoin(env, n[0], nil, n[1:])
	if err != nil {
		return err
	}
	for i, name := range bad {
		c, err := budgetDial(env, fmt.Sprintf("illegal-%d", i+1))
		if err != nil {
			return err
		}
		if err := c.SendLine(name); err != nil {
			return err
		}
		if err := budgetExpectRefused(c, fmt.Sprintf("the name %s is illegal", client.Quote(name, 0)), n[:1], chatHintName); err != nil {
			return err
		}
	}
	if _, err := budgetJoin(env, n[2], n[:1], n[1:2]); err != nil {
		return err
	}
	return budgetExpectNotice(n[2], "the notice that it has entered", chatHintName+"; nobody may hear of a client with an illegal name", alice)
}

// chatDuplicateName has a second client ask for bob's name. Budget Chat lets a server
// refuse it (with a close) or allow it; either way what follows must be consistent.
func chatDuplicateName(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob", "carol")
	c, err := budgetJoinAll(env, n[:2], n[2])
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	if err := budgetSay(alice, "hi bob", chatHintRelay, bob); err != nil {
		return err
	}
	twin, err := budgetDial(env, n[1]+"-again")
	if err != nil {
		return err
	}
	if err := twin.SendLine(n[1]); err != nil {
		return err
	}
	presence := budgetPresence(n[:2], nil)
	line, err := twin.ExpectLine(client.Func("a line refusing the name (then a close), the server closing the connection, or the presence line that names "+n[0]+" and "+n[1],
		func(string) bool { return true }))
	switch {
	case err != nil && twin.Closed():
		env.Note("the server refused the duplicate name by closing the connection")
	case err != nil:
		return err
	case presence.Match(line):
		env.Note("the server allowed the duplicate name")
		if err := budgetExpectNotice(n[1], "the notice that a second "+n[1]+" has entered", chatHintEntered, alice, bob); err != nil {
			return err
		}
		if err := budgetSay(alice, "which one of you is the real one?", chatHintRelay, bob, twin); err != nil {
			return err
		}
		if err := twin.SendLine("me!"); err != nil {
			return err
		}
		for _, to := range []*client.Conn{alice, bob} {
			if err := budgetExpectSaid(to, n[1], "me!", "the second "+n[1]+" is another client: its lines reach everyone else, the first "+n[1]+" included"); err != nil {
				return err
			}
		}
		_, err := budgetJoin(env, n[2], n[:2], nil)
		return err
	default:
		env.Note("the server answered the duplicate name with a line that is not a presence line: it must now close the connection")
		if err := twin.ExpectClosed(); err != nil {
			return client.WithHint(err, "the line after the name was not a presence line naming "+n[0]+" and "+n[1]+", so it must be an error line, and then the server must close the connection")
		}
	}
	// Refused: nobody may have heard of the twin.
	if err := budgetSay(alice, "did someone knock?", "a refused client never joined: nobody hears of it", bob); err != nil {
		return err
	}
	_, err = budgetJoin(env, n[2], n[:2], nil)
	return err
}
