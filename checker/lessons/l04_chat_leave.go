package lessons

import (
	"fmt"
	"strings"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// chatLeave has bob close his connection after an unfinished line, while dave waits at
// the name prompt. Everyone in the room hears that bob left; dave hears nothing, and
// bob is not in dave's presence line.
func chatLeave(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob", "carol", "dave")
	dave, err := budgetDial(env, n[3])
	if err != nil {
		return err
	}
	c, err := budgetJoinAll(env, n[:3], n[3])
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
		line, err := to.ExpectLine(budgetNotice(n[1], "the notice that it has left"))
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
	n := budgetNames(env, "alice", "bob", "carol", "dave")
	c, err := budgetJoinAll(env, n[:3], n[3])
	if err != nil {
		return err
	}
	alice, bob, carol := c[0], c[1], c[2]
	if err := bob.Abort(); err != nil {
		return err
	}
	if err := budgetExpectNotice(n[1], "the notice that it has left", "a reset makes the read fail with an error other than io.EOF: "+chatHintLeft, alice, carol); err != nil {
		return err
	}
	dave, err := budgetDial(env, n[3])
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
	if err := budgetExpectPresence(newcomer, present, []string{gone, name},
		"step 4: r.leave must delete the member who left, so later presence lines leave it out; and a client still at the name prompt hears nothing"); err != nil {
		return err
	}
	if err := budgetExpectNotice(name, "the notice that it has entered", chatHintEntered, members...); err != nil {
		return err
	}
	return budgetSay(members[0], "welcome!", chatHintRelay, append(members[1:], newcomer)...)
}

// chatLeaveBeforeJoin has three clients leave before joining, each in its own way, and
// then checks that the next thing alice hears is bob joining.
func chatLeaveBeforeJoin(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob", "hal")
	alice, err := budgetJoin(env, n[0], nil, n[1:])
	if err != nil {
		return err
	}
	quitter, err := budgetDial(env, "quitter")
	if err != nil {
		return err
	}
	if err := quitter.Close(); err != nil {
		return err
	}
	typist, err := budgetDial(env, "typist")
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
	bob, err := budgetJoin(env, n[1], n[:1], n[2:])
	if err != nil {
		return err
	}
	if err := budgetExpectNotice(n[1], "the notice that it has entered", "", alice); err != nil {
		return err
	}
	return budgetSay(bob, "anyone here?", "", alice)
}

// chatLongLine sends a 10000-byte line, more than our protocol's 4096. Budget Chat lets a
// server relay it, cut it (to no fewer than 1000 characters) or disconnect its sender;
// what it may not do is disconnect a member without telling the others.
func chatLongLine(env *scenario.Env) error {
	n := budgetNames(env, "alice", "bob", "carol")
	text := budgetText(env, 10000)
	c, err := budgetJoinAll(env, n[:2], n[2])
	if err != nil {
		return err
	}
	alice, bob := c[0], c[1]
	const after = "and a short line after it"
	if err := alice.Send(text + "\n" + after + "\n"); err != nil {
		return err
	}
	prefix := "[" + n[0] + "] "
	left := budgetNotice(n[0], "the notice that it has left")
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
			carol, err := budgetDial(env, n[2])
			if err != nil {
				return err
			}
			return chatAfterLeaving(env, n[2], carol, n[0], bob)
		}
		if line == prefix+after {
			env.Note("the server kept %s despite its long line", n[0])
			if _, err := budgetJoin(env, n[2], n[:2], nil); err != nil {
				return err
			}
			return budgetExpectNotice(n[2], "the notice that it has entered", chatHintEntered, alice, bob)
		}
		relayed = true
	}
}
