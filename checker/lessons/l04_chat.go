package lessons

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

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
				Hint: chatHintFraming},
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
	chatHintOrder    = "step 3: relay each line before reading the next one (no goroutine per line), under the room's lock, so one sender's lines reach everyone in the order they were sent"
)

// chatJoinEmpty: the first client of an empty room.
func chatJoinEmpty(env *scenario.Env) error {
	n := chatNames(env, "alice")
	_, err := chatJoin(env, n[0], nil, nil)
	return err
}

// chatPresenceList lets four clients join one after another. Each newcomer's next line
// after its presence line must be the next newcomer's notice, which proves that nobody
// hears of its own arrival and nobody hears of an arrival twice.
func chatPresenceList(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob", "carol", "dave")
	var joined []*client.Conn
	for i, name := range n {
		c, err := chatJoin(env, name, n[:i], n[i+1:])
		if err != nil {
			return err
		}
		if err := chatExpectNotice(name, "the notice that it has entered", chatHintEntered, joined...); err != nil {
			return err
		}
		joined = append(joined, c)
	}
	return nil
}

func chatRelay(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob", "carol")
	c, err := chatJoinAll(env, n)
	if err != nil {
		return err
	}
	alice, bob, carol := c[0], c[1], c[2]
	if err := chatSay(alice, "hello everyone", chatHintRelay, bob, carol); err != nil {
		return err
	}
	// bob's line is the next thing alice may receive: her own line must not come back.
	if err := chatSay(bob, "hi alice, how are you?", chatHintRelay, alice, carol); err != nil {
		return err
	}
	if err := chatSay(carol, "* not a notice, [just] text", chatHintRelay, alice, bob); err != nil {
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
	return chatSay(carol, "fine, thanks", chatHintRelay, alice, bob)
}

// chatUnjoined keeps carol at the name prompt while the others join and talk. When she
// finally sends her name, the presence line must be the very next line she gets.
func chatUnjoined(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob", "carol")
	carol, err := chatConnect(env, n[2])
	if err != nil {
		return err
	}
	env.Note("%s is connected and has not sent its name", n[2])
	c, err := chatJoinAll(env, n[:2], n[2])
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	if err := chatSay(alice, "is anyone else here?", chatHintRelay, bob); err != nil {
		return err
	}
	if err := chatSay(bob, "just us two", chatHintRelay, alice); err != nil {
		return err
	}
	if err := carol.SendLine(n[2]); err != nil {
		return err
	}
	if err := chatExpectPresence(carol, n[:2], n[2:], chatHintUnjoined); err != nil {
		return err
	}
	return chatExpectNotice(n[2], "the notice that it has entered", chatHintEntered, alice, bob)
}

func chatSplitLines(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob")
	bob, err := chatJoin(env, n[1], nil, n[:1])
	if err != nil {
		return err
	}
	alice, err := chatConnect(env, n[0])
	if err != nil {
		return err
	}
	const gap = 5 * time.Millisecond // pacing, so each piece is a read of its own
	if err := alice.Trickle(n[0]+"\n", 2, gap); err != nil {
		return err
	}
	if err := chatExpectPresence(alice, n[1:], n[:1], "the name was sent two bytes at a time: "+chatHintFraming); err != nil {
		return err
	}
	if err := chatExpectNotice(n[0], "the notice that it has entered", chatHintEntered, bob); err != nil {
		return err
	}
	if err := chatSay(bob, "hello, alice", chatHintRelay, alice); err != nil {
		return err
	}
	if err := alice.Trickle("hello, world\n", 3, gap); err != nil {
		return err
	}
	if err := chatExpectSaid(bob, n[0], "hello, world", chatHintFraming); err != nil {
		return err
	}
	// The end of one line arrives with the start of the next.
	for _, piece := range []string{"abc", "\ndef", "\n"} {
		if err := alice.Send(piece); err != nil {
			return err
		}
		time.Sleep(gap)
	}
	if err := chatExpectSaid(bob, n[0], "abc", chatHintFraming); err != nil {
		return err
	}
	return chatExpectSaid(bob, n[0], "def", chatHintFraming)
}

func chatCoalescedLines(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob", "carol")
	c, err := chatJoinAll(env, n[:2], n[2])
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	if err := chatSay(alice, "carol is coming", chatHintRelay, bob); err != nil {
		return err
	}
	carol, err := chatConnect(env, n[2])
	if err != nil {
		return err
	}
	// The name and the first chat line in one write: a server that reads the name with
	// a reader of its own and then makes another loses the chat line.
	if err := carol.Send(n[2] + "\nfirst words\n"); err != nil {
		return err
	}
	if err := chatExpectPresence(carol, n[:2], n[2:], ""); err != nil {
		return err
	}
	for _, to := range []*client.Conn{alice, bob} {
		if err := chatExpectNotice(n[2], "the notice that it has entered", chatHintEntered, to); err != nil {
			return err
		}
		if err := chatExpectSaid(to, n[2], "first words", "carol sent her name and a first line in one write: "+chatHintFraming); err != nil {
			return err
		}
	}
	if err := alice.Send("one\ntwo\nthree\n"); err != nil {
		return err
	}
	for _, to := range []*client.Conn{bob, carol} {
		for _, text := range []string{"one", "two", "three"} {
			if err := chatExpectSaid(to, n[0], text, "alice sent three lines in one write: "+chatHintFraming); err != nil {
				return err
			}
		}
	}
	return nil
}

func chatLongMessage(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob")
	text := chatText(env, 1000)
	c, err := chatJoinAll(env, n)
	if err != nil {
		return err
	}
	return chatSay(c[0], text, "", c[1])
}

// chatOrder has four members send 100 lines each at once, in writes of ten lines. Each
// member must get the 300 lines of the others, every sender's in order, and none of its
// own; two last lines prove that nothing else follows.
func chatOrder(env *scenario.Env) error {
	const perSender, perWrite = 100, 10
	n := chatNames(env, "ann", "ben", "cat", "dan")
	c, err := chatJoinAll(env, n)
	if err != nil {
		return err
	}
	var g errgroup.Group
	for i, me := range c {
		g.Go(func() error {
			for j := 0; j < perSender; j += perWrite {
				var b strings.Builder
				for k := j; k < j+perWrite; k++ {
					b.WriteString(chatCrowdText(n[i], k) + "\n")
				}
				if err := me.Send(b.String()); err != nil {
					return err
				}
			}
			return chatNewInbox(me, perSender, chatWithout(n, i), nil, false).readAll()
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := chatSay(c[0], "that was all from me", chatHintEcho, c[1:]...); err != nil {
		return err
	}
	return chatSay(c[1], "and from me", chatHintEcho, c[0], c[2], c[3])
}

func chatLongName(env *scenario.Env) error {
	n := chatNames(env, "alice", "carol")
	long := fmt.Sprintf("sixteen%09d", env.Rand.Intn(1_000_000_000))
	alice, err := chatJoin(env, n[0], nil, []string{long})
	if err != nil {
		return err
	}
	sixteen, err := chatJoin(env, long, n[:1], nil)
	if err != nil {
		return err
	}
	if err := chatExpectNotice(long, "the notice that it has entered", chatHintEntered, alice); err != nil {
		return err
	}
	if err := chatSay(sixteen, "my name has 16 characters", chatHintRelay, alice); err != nil {
		return err
	}
	_, err = chatJoin(env, n[1], []string{n[0], long}, nil)
	return err
}

// chatBadNames offers illegal names. Each must be refused with a close; then a newcomer's
// notice must be the next thing the member in the room hears.
func chatBadNames(env *scenario.Env) error {
	n := chatNames(env, "alice", "zed", "bob")
	bad := []string{"", n[1] + " jr", n[1] + "!", n[1] + "_x", "[" + n[1] + "]"}
	alice, err := chatJoin(env, n[0], nil, n[1:])
	if err != nil {
		return err
	}
	for i, name := range bad {
		c, err := chatConnect(env, fmt.Sprintf("illegal-%d", i+1))
		if err != nil {
			return err
		}
		if err := c.SendLine(name); err != nil {
			return err
		}
		if err := chatExpectRefused(c, fmt.Sprintf("the name %s is illegal", client.Quote(name, 0)), n[:1], chatHintName); err != nil {
			return err
		}
	}
	if _, err := chatJoin(env, n[2], n[:1], n[1:2]); err != nil {
		return err
	}
	return chatExpectNotice(n[2], "the notice that it has entered", chatHintName+"; nobody may hear of a client with an illegal name", alice)
}

// chatDuplicateName has a second client ask for bob's name. Budget Chat lets a server
// refuse it (with a close) or allow it; either way what follows must be consistent.
func chatDuplicateName(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob", "carol")
	c, err := chatJoinAll(env, n[:2], n[2])
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	if err := chatSay(alice, "hi bob", chatHintRelay, bob); err != nil {
		return err
	}
	twin, err := chatConnect(env, n[1]+"-again")
	if err != nil {
		return err
	}
	if err := twin.SendLine(n[1]); err != nil {
		return err
	}
	presence := chatPresence(n[:2], nil)
	line, err := twin.ExpectLine(client.Func("a line refusing the name (then a close), the server closing the connection, or the presence line that names "+n[0]+" and "+n[1],
		func(string) bool { return true }))
	switch {
	case err != nil && twin.Closed():
		env.Note("the server refused the duplicate name by closing the connection")
	case err != nil:
		return err
	case presence.Match(line):
		env.Note("the server allowed the duplicate name")
		if err := chatExpectNotice(n[1], "the notice that a second "+n[1]+" has entered", chatHintEntered, alice, bob); err != nil {
			return err
		}
		if err := chatSay(alice, "which one of you is the real one?", chatHintRelay, bob, twin); err != nil {
			return err
		}
		if err := twin.SendLine("me!"); err != nil {
			return err
		}
		for _, to := range []*client.Conn{alice, bob} {
			if err := chatExpectSaid(to, n[1], "me!", "the second "+n[1]+" is another client: its lines reach everyone else, the first "+n[1]+" included"); err != nil {
				return err
			}
		}
		_, err := chatJoin(env, n[2], n[:2], nil)
		return err
	default:
		env.Note("the server answered the duplicate name with a line that is not a presence line: it must now close the connection")
		if err := twin.ExpectClosed(); err != nil {
			return client.WithHint(err, "the line after the name was not a presence line naming "+n[0]+" and "+n[1]+", so it must be an error line, and then the server must close the connection")
		}
	}
	// Refused: nobody may have heard of the twin.
	if err := chatSay(alice, "did someone knock?", "a refused client never joined: nobody hears of it", bob); err != nil {
		return err
	}
	_, err = chatJoin(env, n[2], n[:2], nil)
	return err
}

// chatLeave has bob close his connection after an unfinished line, while dave waits at
// the name prompt. Everyone in the room hears that bob left; dave hears nothing, and
// bob is not in dave's presence line.
func chatLeave(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob", "carol", "dave")
	dave, err := chatConnect(env, n[3])
	if err != nil {
		return err
	}
	c, err := chatJoinAll(env, n[:3], n[3])
	if err != nil {
		return err
	}
	alice, bob, carol := c[0], c[1], c[2]
	// Text without a "\n" is not a line, so it is not a message.
	if err := bob.Send("an unfinished li"); err != nil {
		return err
	}
	if err := bob.Close(); err != nil {
		return err
	}
	for _, to := range []*client.Conn{alice, carol} {
		line, err := to.ExpectLine(chatNotice(n[1], "the notice that it has left"))
		if err != nil && strings.HasPrefix(line, "["+n[1]+"] ") {
			return client.WithHint(err, "bob closed the connection after text with no \"\\n\": that is not a complete line, so it is not relayed")
		}
		if err != nil {
			return client.WithHint(err, chatHintLeft)
		}
	}
	return chatAfterLeaving(env, n[3], dave, n[1], alice, carol)
}

func chatReset(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob", "carol", "dave")
	c, err := chatJoinAll(env, n[:3], n[3])
	if err != nil {
		return err
	}
	alice, bob, carol := c[0], c[1], c[2]
	if err := bob.Abort(); err != nil {
		return err
	}
	if err := chatExpectNotice(n[1], "the notice that it has left", "a reset makes the read fail with an error other than io.EOF: "+chatHintLeft, alice, carol); err != nil {
		return err
	}
	dave, err := chatConnect(env, n[3])
	if err != nil {
		return err
	}
	return chatAfterLeaving(env, n[3], dave, n[1], alice, carol)
}

// chatAfterLeaving lets the unjoined newcomer join once gone has left: its presence line
// names exactly the members, and a chat line proves that nothing else was sent.
func chatAfterLeaving(env *scenario.Env, name string, newcomer *client.Conn, gone string, members ...*client.Conn) error {
	present := make([]string, len(members))
	for i, m := range members {
		present[i] = m.Name()
	}
	if err := newcomer.SendLine(name); err != nil {
		return err
	}
	if err := chatExpectPresence(newcomer, present, []string{gone, name},
		"step 4: r.leave must delete the member who left, so later presence lines leave it out; and a client still at the name prompt hears nothing"); err != nil {
		return err
	}
	if err := chatExpectNotice(name, "the notice that it has entered", chatHintEntered, members...); err != nil {
		return err
	}
	return chatSay(members[0], "welcome!", chatHintRelay, append(members[1:], newcomer)...)
}

// chatLeaveBeforeJoin has three clients leave before joining, each in its own way, and
// then checks that the next thing alice hears is bob joining.
func chatLeaveBeforeJoin(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob", "hal")
	alice, err := chatJoin(env, n[0], nil, n[1:])
	if err != nil {
		return err
	}
	quitter, err := chatConnect(env, "quitter")
	if err != nil {
		return err
	}
	if err := quitter.Close(); err != nil {
		return err
	}
	typist, err := chatConnect(env, "typist")
	if err != nil {
		return err
	}
	// Half a name, then a reset: a name is a whole line, so hal never joined.
	if err := typist.Send(n[2]); err != nil {
		return err
	}
	if err := typist.Abort(); err != nil {
		return err
	}
	// Gone before the welcome could be read: the server's write of it may fail.
	hasty, err := env.Dial("hasty")
	if err != nil {
		return err
	}
	if err := hasty.Abort(); err != nil {
		return err
	}
	bob, err := chatJoin(env, n[1], n[:1], n[2:])
	if err != nil {
		return err
	}
	if err := chatExpectNotice(n[1], "the notice that it has entered", "", alice); err != nil {
		return err
	}
	return chatSay(bob, "anyone here?", "", alice)
}

// chatLongLine sends a 10000-byte line, more than our protocol's 4096. Budget Chat lets a
// server relay it, cut it (to no fewer than 1000 characters) or disconnect its sender;
// what it may not do is disconnect a member without telling the others.
func chatLongLine(env *scenario.Env) error {
	n := chatNames(env, "alice", "bob", "carol")
	text := chatText(env, 10000)
	c, err := chatJoinAll(env, n[:2], n[2])
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	const after = "and a short line after it"
	if err := alice.Send(text + "\n" + after + "\n"); err != nil {
		return err
	}
	prefix := "[" + n[0] + "] "
	left := chatNotice(n[0], "the notice that it has left")
	relayed := false
	relay := func(l string) bool {
		rest, ok := strings.CutPrefix(l, prefix)
		return !relayed && ok && len(rest) >= 1000 && strings.HasPrefix(text, rest)
	}
	want := client.Func(fmt.Sprintf("the long line relayed (whole or cut to at least 1000 characters), %s, or, if the server disconnected %s, %s",
		client.Quote(prefix+after+"\n", 0), n[0], left.Desc),
		func(l string) bool { return relay(l) || l == prefix+after || left.Match(l) })
	for {
		line, err := bob.ExpectLine(want)
		if err != nil {
			return client.WithHint(err, "if the server closed alice's connection because her line was too long, she has left the room: everyone else must be told")
		}
		if left.Match(line) {
			env.Note("the server disconnected %s for its long line", n[0])
			carol, err := chatConnect(env, n[2])
			if err != nil {
				return err
			}
			return chatAfterLeaving(env, n[2], carol, n[0], bob)
		}
		if line == prefix+after {
			env.Note("the server kept %s despite its long line", n[0])
			if _, err := chatJoin(env, n[2], n[:2], nil); err != nil {
				return err
			}
			return chatExpectNotice(n[2], "the notice that it has entered", chatHintEntered, alice, bob)
		}
		relayed = true
	}
}

// chatCrowd is the lesson in one run: 20 clients join at once; they all talk while ten
// more join; then half of each group leave, some politely and some with a reset; and a
// last newcomer checks who is left. Every client checks every line it gets.
func chatCrowd(env *scenario.Env) error {
	const (
		early, late = 20, 10
		perSender   = 10
		pace        = 2 * time.Millisecond // between one sender's lines, so the late clients join mid-talk
	)
	suffix := fmt.Sprintf("x%02d", env.Rand.Intn(100))
	earlyNames := make([]string, early)
	for i := range earlyNames {
		earlyNames[i] = fmt.Sprintf("early%d%s", i+1, suffix)
	}
	lateNames := make([]string, late)
	for i := range lateNames {
		lateNames[i] = fmt.Sprintf("late%d%s", i+1, suffix)
	}
	lastName := "last" + suffix
	all := append(append(append([]string{}, earlyNames...), lateNames...), lastName)

	// 1. The early clients join at once. Each must learn of every other exactly once:
	// in its presence line, or later by an entered notice.
	earlyConns := make([]*client.Conn, early)
	listed := make([]map[string]bool, early)
	var g errgroup.Group
	for i, name := range earlyNames {
		g.Go(func() error {
			c, err := chatConnect(env, name)
			if err != nil {
				return err
			}
			earlyConns[i] = c
			listed[i], err = chatCrowdJoin(c, all, nil)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	env.Note("all %d early clients have joined; they talk while %d more join", early, late)

	// 2. The early clients talk; the late ones join meanwhile. The first early client's
	// last line marks the end: the late clients read up to it.
	lateConns := make([]*client.Conn, late)
	end := "that is all from the early ones"
	var talk, join errgroup.Group
	for i, c := range earlyConns {
		var notices []string
		for _, other := range earlyNames {
			if other != c.Name() && !listed[i][other] {
				notices = append(notices, other)
			}
		}
		inbox := chatNewInbox(c, perSender, chatWithout(earlyNames, i), append(notices, lateNames...), false)
		talk.Go(func() error {
			for j := 0; j < perSender; j++ {
				if err := c.SendLine(chatCrowdText(c.Name(), j)); err != nil {
					return err
				}
				time.Sleep(pace)
			}
			return inbox.readAll()
		})
	}
	for i, name := range lateNames {
		join.Go(func() error {
			c, err := chatConnect(env, name)
			if err != nil {
				return err
			}
			lateConns[i] = c
			seen, err := chatCrowdJoin(c, all, earlyNames)
			if err != nil {
				return err
			}
			var notices []string
			for _, other := range lateNames {
				if other != name && !seen[other] {
					notices = append(notices, other)
				}
			}
			return chatNewInbox(c, perSender, earlyNames, notices, true).readUntil("[" + earlyNames[0] + "] " + end)
		})
	}
	talkErr := talk.Wait()
	if talkErr == nil {
		talkErr = chatSay(earlyConns[0], end, "", earlyConns[1:]...)
	}
	// The late clients wait for the end line; if the talk failed, their waits time out.
	if joinErr := join.Wait(); talkErr == nil {
		talkErr = joinErr
	}
	if talkErr != nil {
		return talkErr
	}

	// 3. Half of each group leave, alternately with a close and with a reset.
	leaving := append(append([]*client.Conn{}, earlyConns[early/2:]...), lateConns[late/2:]...)
	staying := append(append([]*client.Conn{}, earlyConns[:early/2]...), lateConns[:late/2]...)
	env.Note("%d clients leave at once", len(leaving))
	var gone, stay []string
	var notices []client.Matcher
	for i, c := range leaving {
		gone = append(gone, c.Name())
		notices = append(notices, chatNotice(c.Name(), "the notice that it has left"))
		if i%2 == 0 {
			_ = c.Close()
		} else {
			_ = c.Abort()
		}
	}
	for _, c := range staying {
		stay = append(stay, c.Name())
		if _, err := c.ExpectLinesAnyOrder(notices); err != nil {
			return client.WithHint(err, chatHintLeft)
		}
	}

	// 4. A last newcomer sees exactly who stayed; its line is the last thing each hears.
	last, err := chatJoin(env, lastName, stay, gone)
	if err != nil {
		return err
	}
	if err := chatExpectNotice(lastName, "the notice that it has entered", chatHintEntered, staying...); err != nil {
		return err
	}
	return chatSay(last, "hello, survivors", chatHintRelay, staying...)
}

// chatCrowdJoin sends c's name and reads its presence line, which must start with "*",
// must not name c, and must name every client in mustList. It returns the clients of
// known it names.
func chatCrowdJoin(c *client.Conn, known, mustList []string) (map[string]bool, error) {
	if err := c.SendLine(c.Name()); err != nil {
		return nil, err
	}
	desc := "the presence line: a line starting with \"*\" that names the others already in the room"
	if len(mustList) > 0 {
		desc = fmt.Sprintf("the presence line: a line starting with \"*\" that names at least the %d clients that joined first", len(mustList))
	}
	line, err := c.ExpectLine(client.Func(desc, func(l string) bool { return strings.HasPrefix(l, "*") }))
	if err != nil {
		return nil, client.WithHint(err, chatHintPresence)
	}
	words := chatWords(line)
	if words[c.Name()] {
		return nil, &client.Error{Client: c.Name(), Want: desc, Got: "a presence line that names " + c.Name() + " itself: " + client.Quote(line, 200), Hint: chatHintPresence}
	}
	for _, name := range mustList {
		if !words[name] {
			return nil, &client.Error{Client: c.Name(), Want: desc, Got: "a presence line that leaves out " + name + ": " + client.Quote(line, 200), Hint: chatHintPresence}
		}
	}
	seen := map[string]bool{}
	for _, name := range known {
		if words[name] {
			seen[name] = true
		}
	}
	return seen, nil
}

// chatInbox checks the lines one client gets while several others talk at once: each
// line must be a notice it still expects, or the next line of one of the senders.
// Different senders' lines may interleave in any way.
type chatInbox struct {
	c         *client.Conn
	perSender int
	notices   map[string]bool // clients it must still get a notice about
	next      map[string]int  // each sender's next line; -1 while it may start anywhere
}

// chatNewInbox expects perSender lines from each sender, in order, and one notice about
// each client in notices. With midway set the client joined while the senders talked, so
// each sender's lines may start anywhere, but must then run to the end.
func chatNewInbox(c *client.Conn, perSender int, senders, notices []string, midway bool) *chatInbox {
	in := &chatInbox{c: c, perSender: perSender, notices: map[string]bool{}, next: map[string]int{}}
	for _, s := range senders {
		in.next[s] = 0
		if midway {
			in.next[s] = -1
		}
	}
	for _, name := range notices {
		in.notices[name] = true
	}
	return in
}

// done reports whether everything expected has come. A sender still at -1 (possible
// only midway) sent nothing after this client joined.
func (in *chatInbox) done() bool {
	for _, n := range in.next {
		if n != in.perSender && n != -1 {
			return false
		}
	}
	return len(in.notices) == 0
}

// readAll reads until everything expected has come.
func (in *chatInbox) readAll() error {
	for !in.done() {
		line, err := in.c.ExpectLine(client.Func(in.describe(), func(string) bool { return true }))
		if err != nil {
			return err
		}
		if err := in.take(line); err != nil {
			return err
		}
	}
	return nil
}

// readUntil reads until the line barrier, by which time everything expected must have come.
func (in *chatInbox) readUntil(barrier string) error {
	for {
		line, err := in.c.ExpectLine(client.Func(in.describe()+", then "+client.Quote(barrier+"\n", 0), func(string) bool { return true }))
		if err != nil {
			return err
		}
		if line == barrier {
			if !in.done() {
				return &client.Error{Client: in.c.Name(), Want: in.describe() + " before " + client.Quote(barrier+"\n", 0),
					Got: "the line " + client.Quote(barrier+"\n", 0) + " first"}
			}
			return nil
		}
		if err := in.take(line); err != nil {
			return err
		}
	}
}

// take checks one line against what is still expected.
func (in *chatInbox) take(line string) error {
	fail := func(got, hint string) error {
		return &client.Error{Client: in.c.Name(), Want: in.describe(), Got: got + ": " + client.Quote(line+"\n", 200), Hint: hint}
	}
	if strings.HasPrefix(line, "*") {
		for _, w := range chatWordList(line) {
			if in.notices[w] {
				delete(in.notices, w)
				return nil
			}
		}
		return fail("a notice it should not get", "every client hears of every other exactly once: in its presence line if the other was there first, or by a notice if the other came later; and it hears nothing about itself")
	}
	from, text, ok := strings.Cut(strings.TrimPrefix(line, "["), "] ")
	if !strings.HasPrefix(line, "[") || !ok {
		return fail("a line that is neither a notice nor a chat message", chatHintRelay)
	}
	if from == in.c.Name() {
		return fail("its own line back", chatHintEcho)
	}
	next, isSender := in.next[from]
	i, isOurs := chatCrowdIndex(from, text)
	if !isSender || !isOurs || i >= in.perSender {
		return fail("a chat line that is not one of the lines sent", chatHintRelay)
	}
	if next == -1 {
		next = i // joined midway: the first line it gets from a sender may be any
	}
	if i != next {
		want := fmt.Sprintf("line %d of %s next", next+1, from)
		if next >= in.perSender {
			want = "no more lines from " + from
		}
		return &client.Error{Client: in.c.Name(), Want: want + " (one sender's lines arrive in the order sent, each once)",
			Got: "the line " + client.Quote(line+"\n", 200), Hint: chatHintOrder}
	}
	in.next[from] = next + 1
	return nil
}

// describe says what the inbox still waits for, for messages.
func (in *chatInbox) describe() string {
	lines := 0
	var senders []string
	for s, n := range in.next {
		if n >= 0 && n < in.perSender {
			lines += in.perSender - n
			senders = append(senders, s)
		}
	}
	var parts []string
	if lines > 0 {
		parts = append(parts, fmt.Sprintf("%d more chat lines from %s", lines, chatListShort(senders)))
	}
	if len(in.notices) > 0 {
		var names []string
		for name := range in.notices {
			names = append(names, name)
		}
		parts = append(parts, "a notice (a line starting with \"*\") about each of "+chatListShort(names))
	}
	if len(parts) == 0 {
		return "no more lines"
	}
	return strings.Join(parts, " and ") + ", in any interleaving"
}

// chatCrowdText is the text of line i (from 0) of sender.
func chatCrowdText(sender string, i int) string {
	return fmt.Sprintf("line %d from %s", i+1, sender)
}

// chatCrowdIndex undoes chatCrowdText: it returns i, and whether text is line i of sender.
func chatCrowdIndex(sender, text string) (int, bool) {
	var n int
	if _, err := fmt.Sscanf(text, "line %d from", &n); err != nil || n < 1 {
		return 0, false
	}
	return n - 1, text == chatCrowdText(sender, n-1)
}

// --- steps shared by the scenarios ---

// chatNames returns one client name per base, each base with two random digits: the
// digits make every name impossible to confuse with a word of a server's wording.
func chatNames(env *scenario.Env, bases ...string) []string {
	names := make([]string, len(bases))
	for i, b := range bases {
		names[i] = fmt.Sprintf("%s%02d", b, env.Rand.Intn(100))
	}
	return names
}

// chatText returns n characters of printable ASCII, spaces included but never first or
// last (a server may strip trailing whitespace).
func chatText(env *scenario.Env, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"()[]*-+=/ "
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[env.Rand.Intn(len(alphabet))]
	}
	b[0], b[n-1] = 'x', 'y'
	return string(b)
}

// chatConnect dials a client called name and reads the welcome line, which may say
// anything.
func chatConnect(env *scenario.Env, name string) (*client.Conn, error) {
	c, err := env.Dial(name)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExpectLine(client.Func("a welcome line asking for a name", func(string) bool { return true })); err != nil {
		return nil, client.WithHint(err, chatHintWelcome)
	}
	return c, nil
}

// chatJoin connects a client, sends name as its name, and expects the presence line to
// name exactly present, and neither the newcomer nor anyone in absent.
func chatJoin(env *scenario.Env, name string, present, absent []string) (*client.Conn, error) {
	c, err := chatConnect(env, name)
	if err != nil {
		return nil, err
	}
	if err := c.SendLine(name); err != nil {
		return nil, err
	}
	if err := chatExpectPresence(c, present, append(append([]string{}, absent...), name), ""); err != nil {
		return nil, err
	}
	return c, nil
}

// chatJoinAll lets the clients called names join one after another; the ones already in
// hear each newcomer. Nobody in absent may appear in a presence line.
func chatJoinAll(env *scenario.Env, names []string, absent ...string) ([]*client.Conn, error) {
	var joined []*client.Conn
	for i, name := range names {
		c, err := chatJoin(env, name, names[:i], append(append([]string{}, names[i+1:]...), absent...))
		if err != nil {
			return nil, err
		}
		if err := chatExpectNotice(name, "the notice that it has entered", chatHintEntered, joined...); err != nil {
			return nil, err
		}
		joined = append(joined, c)
	}
	return joined, nil
}

// chatPresence matches a presence line: it starts with "*", names everyone in present as
// a whole word, and nobody in absent (unless also present).
func chatPresence(present, absent []string) client.Matcher {
	return client.Func(chatPresenceDesc(present, absent), func(l string) bool { return chatPresenceProblem(l, present, absent) == "" })
}

func chatPresenceDesc(present, absent []string) string {
	desc := "the presence line: a line starting with \"*\" that names nobody (the room was empty)"
	if len(present) > 0 {
		desc = "the presence line: a line starting with \"*\" that names exactly " + chatList(present)
	}
	return desc
}

// chatPresenceProblem says what is wrong with line as a presence line, or "" if nothing.
func chatPresenceProblem(line string, present, absent []string) string {
	if !strings.HasPrefix(line, "*") {
		return "it does not start with \"*\""
	}
	words := chatWords(line)
	in := map[string]bool{}
	var missing, extra []string
	for _, name := range present {
		in[name] = true
		if !words[name] {
			missing = append(missing, name)
		}
	}
	for _, name := range absent {
		if words[name] && !in[name] {
			extra = append(extra, name)
		}
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, "it leaves out "+chatList(missing))
	}
	if len(extra) > 0 {
		problems = append(problems, "it names "+chatList(extra)+", who is not in the room")
	}
	return strings.Join(problems, ", and ")
}

// chatExpectPresence reads c's next line and requires it to be the presence line; a
// wrong one is reported with what is wrong with it, and the hint (chatHintPresence if
// empty).
func chatExpectPresence(c *client.Conn, present, absent []string, hint string) error {
	if hint == "" {
		hint = chatHintPresence
	}
	desc := chatPresenceDesc(present, absent)
	line, err := c.ExpectLine(client.Func(desc, func(string) bool { return true }))
	if err != nil {
		return client.WithHint(err, hint)
	}
	if problem := chatPresenceProblem(line, present, absent); problem != "" {
		return &client.Error{Client: c.Name(), Want: desc, Got: "the line " + client.Quote(line+"\n", 200) + ": " + problem, Hint: hint}
	}
	return nil
}

// chatNotice matches a notice about name: a line starting with "*" that contains name
// as a whole word. what says which notice, for messages.
func chatNotice(name, what string) client.Matcher {
	return client.Func(fmt.Sprintf("a line starting with \"*\" that names %s (%s)", name, what),
		func(l string) bool { return strings.HasPrefix(l, "*") && chatWords(l)[name] })
}

// chatExpectNotice requires the next line of each of cs to be a notice about name.
func chatExpectNotice(name, what, hint string, cs ...*client.Conn) error {
	for _, c := range cs {
		if _, err := c.ExpectLine(chatNotice(name, what)); err != nil {
			return client.WithHint(err, hint)
		}
	}
	return nil
}

// chatSay sends text from one member and requires it to be the next line of each of to.
func chatSay(from *client.Conn, text, hint string, to ...*client.Conn) error {
	if err := from.SendLine(text); err != nil {
		return err
	}
	for _, c := range to {
		if err := chatExpectSaid(c, from.Name(), text, hint); err != nil {
			return err
		}
	}
	return nil
}

// chatExpectSaid requires c's next line to be "[from] text". If c got its own line
// instead, the hint says so.
func chatExpectSaid(c *client.Conn, from, text, hint string) error {
	line, err := c.ExpectLine(client.Exact("[" + from + "] " + text))
	if err != nil && strings.HasPrefix(line, "["+c.Name()+"] ") {
		return client.WithHint(err, chatHintEcho)
	}
	if hint == "" {
		hint = chatHintRelay
	}
	return client.WithHint(err, hint)
}

// chatExpectRefused requires the server to close c, after at most one line: Budget Chat
// lets a server explain why before it closes, or close at once. A first line that names
// everyone in the room (members) looks like a presence line, and is reported as such.
func chatExpectRefused(c *client.Conn, why string, members []string, hint string) error {
	want := "the server to close the connection, at most after one line saying why (" + why + ")"
	line, err := c.ExpectLine(client.Func(want, func(string) bool { return true }))
	if err != nil {
		if c.Closed() {
			return nil
		}
		return client.WithHint(err, hint)
	}
	if len(members) > 0 && chatPresenceProblem(line, members, nil) == "" {
		return &client.Error{Client: c.Name(), Want: want,
			Got: "the line " + client.Quote(line+"\n", 200) + ", which looks like the presence line: the server let the client join", Hint: hint}
	}
	return client.WithHint(c.ExpectClosed(), hint)
}

var chatWordRE = regexp.MustCompile(`[A-Za-z0-9]+`)

// chatWordList returns the words of line in order: the runs of letters and digits.
func chatWordList(line string) []string { return chatWordRE.FindAllString(line, -1) }

// chatWords returns the set of words of line.
func chatWords(line string) map[string]bool {
	words := map[string]bool{}
	for _, w := range chatWordList(line) {
		words[w] = true
	}
	return words
}

// chatList joins names for a message: "a, b and c".
func chatList(names []string) string {
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// chatListShort sorts names and joins them for a message, naming at most eight.
func chatListShort(names []string) string {
	sort.Strings(names)
	if len(names) > 8 {
		names = append(names[:7:7], fmt.Sprintf("%d others", len(names)-7))
	}
	return chatList(names)
}

// chatWithout returns names without its i-th element.
func chatWithout(names []string, i int) []string {
	return append(append([]string{}, names[:i]...), names[i+1:]...)
}
