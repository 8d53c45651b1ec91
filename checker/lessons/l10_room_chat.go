package lessons

import (
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

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
