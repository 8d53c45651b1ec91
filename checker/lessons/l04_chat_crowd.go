package lessons

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// chatOrder has four members send 100 lines each at once, in writes of ten lines. Each
// member must get the 300 lines of the others, every sender's in order, and none of its
// own; two last lines prove that nothing else follows.
func chatOrder(env *scenario.Env) error {
	const perSender, perWrite = 100, 10
	n := budgetNames(env, "ann", "ben", "cat", "dan")
	c, err := budgetJoinAll(env, n)
	if err != nil {
		return err
	}
	var g errgroup.Group
	for i, me := range c {
		g.Go(func() error {
			for j := 0; j < perSender; j += perWrite {
				var b strings.Builder
				for k := j; k < j+perWrite; k++ {
					b.WriteString(crowdText(n[i], k) + "\n")
				}
				if err := me.Send(b.String()); err != nil {
					return err
				}
			}
			return newBudgetInbox(me, perSender, without(n, i), nil, false).readAll()
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := budgetSay(c[0], "that was all from me", chatHintEcho, c[1:]...); err != nil {
		return err
	}
	return budgetSay(c[1], "and from me", chatHintEcho, c[0], c[2], c[3])
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
			c, err := budgetDial(env, name)
			if err != nil {
				return err
			}
			earlyConns[i] = c
			listed[i], err = budgetCrowdJoin(c, all, nil)
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
	var talk, joining errgroup.Group
	for i, c := range earlyConns {
		var notices []string
		for _, other := range earlyNames {
			if other != c.Name() && !listed[i][other] {
				notices = append(notices, other)
			}
		}
		inbox := newBudgetInbox(c, perSender, without(earlyNames, i), append(notices, lateNames...), false)
		talk.Go(func() error {
			for j := 0; j < perSender; j++ {
				if err := c.SendLine(crowdText(c.Name(), j)); err != nil {
					return err
				}
				time.Sleep(pace)
			}
			return inbox.readAll()
		})
	}
	for i, name := range lateNames {
		joining.Go(func() error {
			c, err := budgetDial(env, name)
			if err != nil {
				return err
			}
			lateConns[i] = c
			seen, err := budgetCrowdJoin(c, all, earlyNames)
			if err != nil {
				return err
			}
			var notices []string
			for _, other := range lateNames {
				if other != name && !seen[other] {
					notices = append(notices, other)
				}
			}
			return newBudgetInbox(c, perSender, earlyNames, notices, true).readUntil("[" + earlyNames[0] + "] " + end)
		})
	}
	talkErr := talk.Wait()
	if talkErr == nil {
		talkErr = budgetSay(earlyConns[0], end, "", earlyConns[1:]...)
	}
	// The late clients wait for the end line; if the talk failed, their waits time out.
	if joinErr := joining.Wait(); talkErr == nil {
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
		notices = append(notices, budgetNotice(c.Name(), "the notice that it has left"))
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
	last, err := budgetJoin(env, lastName, stay, gone)
	if err != nil {
		return err
	}
	if err := budgetExpectNotice(lastName, "the notice that it has entered", chatHintEntered, staying...); err != nil {
		return err
	}
	return budgetSay(last, "hello, survivors", chatHintRelay, staying...)
}

// budgetCrowdJoin sends c's name and reads its presence line, which must start with "*",
// must not name c, and must name every client in mustList. It returns the clients of
// known it names.
func budgetCrowdJoin(c *client.Conn, known, mustList []string) (map[string]bool, error) {
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
	words := budgetWords(line)
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
