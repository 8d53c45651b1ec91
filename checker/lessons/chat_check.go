package lessons

import (
	"fmt"
	"strings"

	"github.com/gochat-course/gochat/checker/client"
)

// Delivery accounting: what a client must receive when several others talk at once,
// checked line by line (each sender's lines in order, each exactly once). There are two
// accountants, on purpose: delivery (lessons 05 to 10) knows every line exactly, while
// budgetInbox (lesson 04) accepts notices in any wording and lets a client that joined
// mid-talk pick up each sender's lines wherever they were.

// delivery is what one client must receive next: several sequences of lines, each in its
// own order but interleaved in any way with the others (the messages of different
// senders, say), and optional lines that may come at most once each, anywhere.
type delivery struct {
	seqs     [][]string
	optional []string
	// explain, if set, says why an unexpected line is wrong, as a hint for the learner.
	explain func(line string) string
}

// read reads lines until every sequence has arrived. It fails on the first line that is
// neither the next line of a sequence nor an optional line not yet seen, and returns the
// optional lines that came.
func (w delivery) read(c *client.Conn) ([]string, error) {
	next := make([]int, len(w.seqs))
	due := 0
	for _, s := range w.seqs {
		due += len(s)
	}
	optional := append([]string(nil), w.optional...)
	var came []string
	for due > 0 {
		desc := w.describe(next, due)
		line, err := c.ExpectLine(client.Func(desc, func(string) bool { return true }))
		if err != nil {
			return came, err
		}
		matched := false
		for i, s := range w.seqs {
			if next[i] < len(s) && s[next[i]] == line {
				next[i]++
				due--
				matched = true
				break
			}
		}
		for i, o := range optional {
			if !matched && o == line {
				came = append(came, o)
				optional = append(optional[:i], optional[i+1:]...)
				matched = true
				break
			}
		}
		if !matched {
			e := &client.Error{Client: c.Name(), Want: desc, Got: "the line " + client.Quote(line+"\n", 120),
				Detail: w.diagnose(next, came, line)}
			if w.explain != nil {
				e.Hint = w.explain(line)
			}
			return came, e
		}
	}
	return came, nil
}

// describe says what read still waits for: the next line of each sequence.
func (w delivery) describe(next []int, due int) string {
	var heads []string
	for i, s := range w.seqs {
		if next[i] < len(s) {
			heads = append(heads, client.Quote(s[next[i]], 70))
		}
	}
	more := ""
	if len(heads) > 4 {
		more = fmt.Sprintf(" and %d more", len(heads)-4)
		heads = heads[:4]
	}
	if len(heads) == 1 && due == 1 {
		return "the line " + heads[0]
	}
	return fmt.Sprintf("%d more lines, the next of them one of %s%s", due, strings.Join(heads, ", "), more)
}

// diagnose says what an unexpected line tells about the server.
func (w delivery) diagnose(next []int, came []string, line string) string {
	for i, s := range w.seqs {
		for k := next[i] + 1; k < len(s); k++ {
			if s[k] == line {
				return fmt.Sprintf("  this line should have come after %s, which has not: a line was lost, or lines from one sender were reordered",
					client.Quote(s[next[i]], 70))
			}
		}
		for k := 0; k < next[i]; k++ {
			if s[k] == line {
				return "  this line came twice"
			}
		}
	}
	for _, o := range came {
		if o == line {
			return "  this line came twice"
		}
	}
	return ""
}

// budgetInbox checks the lines one client gets while several others talk at once: each
// line must be a notice it still expects, or the next line of one of the senders.
// Different senders' lines may interleave in any way. Unlike delivery, it takes any line
// starting with "*" that names the client as its notice (lesson 04 accepts any Budget
// Chat wording), and reads the senders' lines by crowdText's numbering, so that a
// client that joined midway may start each sender's lines anywhere.
type budgetInbox struct {
	c         *client.Conn
	perSender int
	notices   map[string]bool // clients it must still get a notice about
	next      map[string]int  // each sender's next line; -1 while it may start anywhere
}

// newBudgetInbox expects perSender lines from each sender, in order, and one notice about
// each client in notices. With midway set the client joined while the senders talked, so
// each sender's lines may start anywhere, but must then run to the end.
func newBudgetInbox(c *client.Conn, perSender int, senders, notices []string, midway bool) *budgetInbox {
	in := &budgetInbox{c: c, perSender: perSender, notices: map[string]bool{}, next: map[string]int{}}
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
func (in *budgetInbox) done() bool {
	for _, n := range in.next {
		if n != in.perSender && n != -1 {
			return false
		}
	}
	return len(in.notices) == 0
}

// readAll reads until everything expected has come.
func (in *budgetInbox) readAll() error {
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
func (in *budgetInbox) readUntil(barrier string) error {
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
func (in *budgetInbox) take(line string) error {
	fail := func(got, hint string) error {
		return &client.Error{Client: in.c.Name(), Want: in.describe(), Got: got + ": " + client.Quote(line+"\n", 200), Hint: hint}
	}
	if strings.HasPrefix(line, "*") {
		for _, w := range budgetWordList(line) {
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
	i, isOurs := crowdIndex(from, text)
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
func (in *budgetInbox) describe() string {
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
		parts = append(parts, fmt.Sprintf("%d more chat lines from %s", lines, nameListShort(senders)))
	}
	if len(in.notices) > 0 {
		var names []string
		for name := range in.notices {
			names = append(names, name)
		}
		parts = append(parts, "a notice (a line starting with \"*\") about each of "+nameListShort(names))
	}
	if len(parts) == 0 {
		return "no more lines"
	}
	return strings.Join(parts, " and ") + ", in any interleaving"
}

// crowdText is the text of line i (from 0) of sender.
func crowdText(sender string, i int) string {
	return fmt.Sprintf("line %d from %s", i+1, sender)
}

// crowdIndex undoes crowdText: it returns i, and whether text is line i of sender.
func crowdIndex(sender, text string) (int, bool) {
	var n int
	if _, err := fmt.Sscanf(text, "line %d from", &n); err != nil || n < 1 {
		return 0, false
	}
	return n - 1, text == crowdText(sender, n-1)
}
