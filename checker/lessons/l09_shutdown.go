package lessons

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// shutTimeout is lesson 09's -shutdown-timeout, unless a scenario sets its own.
const shutTimeout = 3 * time.Second

// The flags of the scenarios with a client that never reads: a queue long enough that
// the client is never dropped as too slow, and writes that may wait longer than any
// scenario lasts, so that only the shutdown decides what happens to it.
var shutStallFlags = []string{"-queue", "100000", "-write-timeout", "60s"}

// shutdown is lesson 09: a graceful shutdown on SIGINT or SIGTERM.
func shutdown() scenario.Lesson {
	return scenario.Lesson{
		Number: 9, Slug: "09-shutdown", Title: "graceful shutdown",
		// The scenarios send faster than a person types: a rate limit far above theirs.
		Flags: append(noRateLimit(), "-shutdown-timeout", shutTimeout.String()),
		Scenarios: []scenario.Scenario{
			{Name: "goodbye", NeedsProcess: true, Run: shutGoodbye,
				Doc:  "on SIGTERM every client, joined or not, gets the goodbye line and is closed, and the server exits with status 0",
				Hint: "step 1: make the first signal cancel a context (signal.NotifyContext) instead of killing the process; then shut down in net/http's order, queue the goodbye line last for every client, and return 0 once every connection is closed"},
			{Name: "stops-accepting", NeedsProcess: true, Run: shutStopsAccepting,
				Flags: append([]string{"-shutdown-timeout", "20s"}, shutStallFlags...),
				Doc:   "once clients are told goodbye, a new client is refused while the server is still draining",
				Hint:  "step 1: the shutdown closes the listener before anything else it tells the clients, so that Accept returns net.ErrClosed and the operating system refuses new clients"},
			{Name: "drain", NeedsProcess: true, Run: shutDrain, Flags: shutStallFlags,
				Doc:  "every line already queued for a client that is behind is delivered before its goodbye line",
				Hint: "step 1: the goodbye line goes at the end of each client's queue, and the connection is closed only after its writer has written everything before it"},
			{Name: "during-traffic", NeedsProcess: true, Run: shutDuringTraffic,
				Doc:  "a signal in the middle of traffic loses nothing: a message that reached anyone reached everyone it was for, before the goodbye",
				Hint: "step 1: close the registry and stop reading first, then let every writer drain its queue, then send the goodbye: a message the server accepted must reach every member it was broadcast to"},
			{Name: "deadline", NeedsProcess: true, Run: shutDeadline,
				Flags: append([]string{"-shutdown-timeout", "1s"}, shutStallFlags...),
				Doc:   "a client that does not read cannot hold the server: it exits with status 1 once -shutdown-timeout has passed",
				Hint:  "step 2: bound the wait for the connections with a timer of -shutdown-timeout; when it fires, close the remaining connections and exit with status 1"},
			{Name: "second-signal", NeedsProcess: true, Run: shutSecondSignal,
				Flags: append([]string{"-shutdown-timeout", "30s"}, shutStallFlags...),
				Doc:   "a second signal during a shutdown makes the server exit at once with status 1",
				Hint:  "step 2: once the first signal has started the shutdown, keep listening for signals: a second SIGINT or SIGTERM exits at once with status 1"},
		},
	}
}

// shutGoodbye signals a server with two joined clients and one still at the name prompt.
func shutGoodbye(env *scenario.Env) error {
	joined, err := joinAll(env, "alice", "bob")
	if err != nil {
		return err
	}
	guest, err := dial(env, "guest")
	if err != nil {
		return err
	}
	if err := joined[0].SendLine("see you"); err != nil {
		return err
	}
	if err := expect(joined[1], saidLine("alice", "see you")); err != nil {
		return err
	}
	if err := shutSignal(env, syscall.SIGTERM); err != nil {
		return err
	}
	for _, c := range append(joined, guest) {
		if err := shutExpectGoodbye(c); err != nil {
			return client.WithHint(err, "step 1: on SIGTERM every connected client, joined or still choosing a name, gets the goodbye line (and nobody a left notice), then the server closes the connection; "+
				"without signal.NotifyContext the signal kills the process, and every connection just closes")
		}
	}
	return shutExpectExit(env, env.Scaled(shutTimeout)+env.Step(), 0)
}

// shutStopsAccepting holds the server in its shutdown with a client that does not read,
// and checks that a client who arrives then is refused.
func shutStopsAccepting(env *scenario.Env) error {
	if _, _, err := shutHeldUp(env); err != nil {
		return err
	}
	if err := shutStillRunning(env, "a client had not read its lines and -shutdown-timeout is 20s"); err != nil {
		return err
	}
	late, err := env.Dial("latecomer")
	if err != nil {
		env.Note("the latecomer was refused, as it should be")
		return nil
	}
	return client.WithHint(late.ExpectClosed(),
		"step 1: during a shutdown the server accepts nobody: close the listener before telling the clients goodbye, and make the accept loop return when Accept reports net.ErrClosed")
}

// shutDrain has the server queue megabytes for a client that is not reading, signals,
// and only then lets the client read: it must get every line, then the goodbye.
func shutDrain(env *scenario.Env) error {
	sleepy, _, err := shutHeldUp(env)
	if err != nil {
		return err
	}
	n := shutStallLines()
	env.Note("sleepy starts reading the %d lines queued for it", n)
	// A small receive buffer makes TCP crawl once the client reads again: let it grow.
	if err := sleepy.SetReadBuffer(4 << 20); err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		if _, err := sleepy.ExpectLine(client.Exact("[feeder] " + shutBulkText(i))); err != nil {
			return client.WithHint(err, fmt.Sprintf("every one of the %d lines feeder sent was accepted before the signal (feeder's /who was answered after them), so each must reach sleepy before its goodbye: "+
				"step 1: queue the goodbye after what is queued, and close the connection only once the writer has written it all", n))
		}
	}
	if err := shutExpectGoodbye(sleepy); err != nil {
		return err
	}
	return shutExpectExit(env, env.Scaled(shutTimeout)+env.Step(), 0)
}

// shutDuringTraffic signals while three clients are sending and checks the protocol's
// rule for what was accepted: for each sender, every other client received the same
// messages before its goodbye, and those are the first messages the sender sent, in order.
// The rule holds whatever the moment of the signal, so the check needs no timing.
func shutDuringTraffic(env *scenario.Env) error {
	senders := []string{"ann", "ben", "cat"}
	names := append(append([]string(nil), senders...), "dan", "eve")
	conns, err := joinAll(env, names...)
	if err != nil {
		return err
	}

	var signalled atomic.Bool
	started := make(chan struct{}, len(senders))
	stop := make(chan struct{})
	var g errgroup.Group
	for i := range senders {
		c := conns[i]
		g.Go(func() error {
			for k := 1; k <= 1000; k++ {
				if err := c.SendLine(fmt.Sprintf("message %d", k)); err != nil {
					if signalled.Load() {
						return nil // the server stopped reading and closed: expected
					}
					return err
				}
				if k == 20 {
					started <- struct{}{}
				}
				select {
				case <-stop:
					return nil
				case <-time.After(2 * time.Millisecond):
				}
			}
			return nil
		})
	}
	for range senders {
		select {
		case <-started:
		case <-time.After(env.Step()):
			close(stop)
			if err := g.Wait(); err != nil {
				return err
			}
			return client.Failf("checker", "every sender to send 20 messages", "not all did within %s", env.Step())
		}
	}
	signalled.Store(true)
	if err := shutSignal(env, os.Interrupt); err != nil {
		close(stop)
		_ = g.Wait()
		return err
	}
	// The senders go on until a listener has its goodbye: the signal lands in traffic.
	dan, err := shutReadToGoodbye(conns[3])
	close(stop)
	if werr := g.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}

	got := map[string][]string{"dan": dan}
	for i, c := range conns {
		if names[i] == "dan" {
			continue
		}
		lines, err := shutReadToGoodbye(c)
		if err != nil {
			return err
		}
		got[names[i]] = lines
	}
	if err := shutConsistent(names, senders, got); err != nil {
		return err
	}
	return shutExpectExit(env, env.Scaled(shutTimeout)+env.Step(), 0)
}

// shutConsistent checks what each client received before its goodbye against the rule
// for accepted messages.
func shutConsistent(names, senders []string, got map[string][]string) error {
	// counts[to][from] is how many of from's messages to received.
	counts := map[string]map[string]int{}
	for _, to := range names {
		counts[to] = map[string]int{}
		for _, line := range got[to] {
			from, text, ok := strings.Cut(strings.TrimPrefix(line, "["), "] ")
			k, err := strconv.Atoi(strings.TrimPrefix(text, "message "))
			if !ok || !strings.HasPrefix(line, "[") || err != nil || from == to || !slices.Contains(senders, from) {
				return &client.Error{Client: to, Want: "only the other senders' messages before the goodbye line", Got: "the line " + client.Quote(line+"\n", 200),
					Hint: "during a shutdown nobody gets a left notice, and a client never gets its own messages back"}
			}
			if want := counts[to][from] + 1; k != want {
				return &client.Error{Client: to, Want: fmt.Sprintf("%s's message %d next", from, want), Got: "the line " + client.Quote(line+"\n", 200),
					Hint: "messages from one sender arrive in the order they were sent, with none missing, up to the moment the server stopped reading"}
			}
			counts[to][from] = k
		}
	}
	for _, from := range senders {
		most, who := 0, ""
		for _, to := range names {
			if to != from && counts[to][from] > most {
				most, who = counts[to][from], to
			}
		}
		for _, to := range names {
			if to != from && counts[to][from] < most {
				return &client.Error{Client: to, Want: fmt.Sprintf("%s's messages 1 to %d before the goodbye line, as %s got them", from, most, who),
					Got:  fmt.Sprintf("only messages 1 to %d", counts[to][from]),
					Hint: "step 1: a message the server accepted reached one client, so it must reach every client it was for before the goodbye; deliver what is queued before sending the goodbye line and closing"}
			}
		}
	}
	return nil
}

// shutDeadline holds the server in its shutdown with a client that never reads, and
// checks that it gives up after -shutdown-timeout (1s here) with status 1.
func shutDeadline(env *scenario.Env) error {
	const timeout = time.Second
	_, signalled, err := shutHeldUp(env)
	if err != nil {
		return err
	}
	if err := shutExpectExit(env, env.Scaled(timeout)+env.Step(), 1); err != nil {
		return client.WithHint(err, "step 2: sleepy never reads, so its lines can never all be delivered: after -shutdown-timeout (1s here) the server closes what is left and exits with status 1; "+
			"if it never exits, a goroutine is still blocked (a write without a deadline, a channel nobody reads, a WaitGroup that is never done)")
	}
	if took := time.Since(signalled); took < env.Scaled(timeout)/2 {
		return &client.Error{Client: "the server", Want: "to keep delivering sleepy's lines for -shutdown-timeout (1s) before giving up",
			Got: fmt.Sprintf("it exited %s after the signal", took.Round(time.Millisecond)), Hint: "step 2: wait for the connections until -shutdown-timeout has passed, not less"}
	}
	return nil
}

// shutSecondSignal signals twice: the first starts a shutdown that a client that never
// reads holds up for 30s, the second must end it at once.
func shutSecondSignal(env *scenario.Env) error {
	if _, _, err := shutHeldUp(env); err != nil {
		return err
	}
	if err := shutStillRunning(env, "a client had not read its lines and -shutdown-timeout is 30s"); err != nil {
		return err
	}
	if err := shutSignal(env, os.Interrupt); err != nil {
		return err
	}
	return client.WithHint(shutExpectExit(env, env.Step(), 1),
		"step 2: after the first signal, keep watching for signals (signal.Notify on a channel of your own); on the second, return 1 at once")
}

// shutSignal sends sig to the server process.
func shutSignal(env *scenario.Env, sig os.Signal) error {
	if runtime.GOOS == "windows" {
		return client.Failf("checker", "to send "+sig.String()+" to the server", "no way to: Windows has no such signals; run this lesson's check under WSL, Linux or macOS")
	}
	env.Note("the checker sends %s to the server", sig)
	if err := env.Server.Signal(sig); err != nil {
		return client.Failf("checker", "to send "+sig.String()+" to the server", "an error: %v (had it exited already?)", err)
	}
	return nil
}

// shutExpectGoodbye waits for the goodbye line as c's next line, then for the close.
func shutExpectGoodbye(c *client.Conn) error {
	if err := expect(c, goodbyeLine); err != nil {
		return err
	}
	return c.ExpectClosed()
}

// shutReadToGoodbye returns the lines c receives before the goodbye line, and checks
// that the connection is closed after it.
func shutReadToGoodbye(c *client.Conn) ([]string, error) {
	var lines []string
	for len(lines) <= 10000 {
		line, err := c.ReadLine()
		if err != nil {
			return nil, client.WithHint(err, "on the first signal the server delivers what it had queued, then tells every client goodbye")
		}
		if line == goodbyeLine {
			return lines, client.WithHint(c.ExpectClosed(), "after the goodbye line the server closes the connection")
		}
		lines = append(lines, line)
	}
	return nil, client.Failf(c.Name(), "the goodbye line", "more than 10000 other lines first")
}

// shutExpectExit waits up to within for the server to exit, with status want.
func shutExpectExit(env *scenario.Env, within time.Duration, want int) error {
	select {
	case <-env.Server.Done():
	case <-time.After(within):
		e := &client.Error{Client: "the server", Want: fmt.Sprintf("to exit with status %d", want), Got: "it was still running", Waited: within}
		if want == 0 {
			// A clean shutdown that never ends; for a cut-short one, the scenario's own
			// hint (the deadline, the second signal) says more.
			e.Hint = "every goroutine must end once the clients are gone: the accept loop, each reader and writer; and main must return (or call os.Exit) when they have"
		}
		return e
	case <-env.Ctx.Done():
		return env.Ctx.Err()
	}
	if got := env.Server.ExitCode(); got != want {
		e := &client.Error{Client: "the server", Want: fmt.Sprintf("to exit with status %d", want), Got: fmt.Sprintf("status %d", got)}
		switch {
		case got == -1:
			e.Got = "it was killed by the signal (no status of its own)"
			e.Hint = "step 1: without signal.NotifyContext (or signal.Notify) a signal kills a Go program; catch SIGINT and SIGTERM to shut down yourself"
		case want == 0:
			e.Hint = "a shutdown in which every client got its goodbye is a success: return from main, do not log.Fatal or os.Exit(1)"
		default:
			e.Hint = "a shutdown cut short (by -shutdown-timeout or a second signal) is a failure: exit with os.Exit(1)"
		}
		return e
	}
	return nil
}

// shutStillRunning fails if the server has already exited, when it had reason not to.
func shutStillRunning(env *scenario.Env, why string) error {
	select {
	case <-env.Server.Done():
		return &client.Error{Client: "the server", Want: "to keep draining (" + why + ")", Got: fmt.Sprintf("it had exited with status %d", env.Server.ExitCode()),
			Hint: "wait for every connection to deliver its queue (bounded by -shutdown-timeout) before exiting"}
	default:
		return nil
	}
}

// shutHeldUp starts a shutdown that a client cannot finish: it stalls sleepy
// (shutStall), sends SIGTERM, and waits for feeder's goodbye, which must come at once
// whatever sleepy's backlog. It returns sleepy and when the signal was sent.
func shutHeldUp(env *scenario.Env) (sleepy *client.Conn, signalled time.Time, err error) {
	feeder, sleepy, err := shutStall(env)
	if err != nil {
		return nil, time.Time{}, err
	}
	signalled = time.Now()
	if err := shutSignal(env, syscall.SIGTERM); err != nil {
		return nil, time.Time{}, err
	}
	if err := shutExpectGoodbye(feeder); err != nil {
		return nil, time.Time{}, client.WithHint(err, "a client whose queue is empty gets its goodbye line at once, even while another client is behind")
	}
	return sleepy, signalled, nil
}

// shutStall joins sleepy, who stops reading, and feeder, who sends more than the
// operating system can buffer between the server and sleepy. The server has accepted
// all of it when shutStall returns (feeder's /who is answered after the last line), so
// the server's writer for sleepy is blocked with lines still queued.
func shutStall(env *scenario.Env) (feeder, sleepy *client.Conn, err error) {
	joined, err := joinAll(env, "feeder", "sleepy")
	if err != nil {
		return nil, nil, err
	}
	feeder, sleepy = joined[0], joined[1]
	if err := sleepy.SetReadBuffer(4096); err != nil {
		return nil, nil, err
	}
	n := shutStallLines()
	env.Note("sleepy stops reading; feeder sends %d lines (%d MiB) that only sleepy receives", n, n*shutBulkSize>>20)
	if err := shutSendBulk(feeder, n); err != nil {
		return nil, nil, client.WithHint(err, "the server must keep reading feeder while sleepy is behind: sleepy's lines wait in sleepy's queue")
	}
	if err := ask(feeder, "/who", whoReply("lobby", "feeder", "sleepy")); err != nil {
		return nil, nil, client.WithHint(err, "the server must keep serving feeder while sleepy is behind (with -queue 100000, sleepy is not too slow yet)")
	}
	return feeder, sleepy, nil
}

// shutBulkSize is the length of each line feeder sends to stall sleepy.
const shutBulkSize = 4000

// shutSendBulk sends lines 1 to n of shutBulkText from feeder, 16 lines per write.
func shutSendBulk(feeder *client.Conn, n int) error {
	const batch = 16 // lines per write
	for i := 1; i <= n; i += batch {
		var b strings.Builder
		for k := i; k < i+batch && k <= n; k++ {
			b.WriteString(shutBulkText(k))
			b.WriteByte('\n')
		}
		if err := feeder.Send(b.String()); err != nil {
			return err
		}
	}
	return nil
}

// shutBulkText is feeder's i-th line.
func shutBulkText(i int) string {
	head := fmt.Sprintf("bulk %06d ", i)
	return head + strings.Repeat("z", shutBulkSize-len(head))
}

// shutStallLines is how many lines stall a client that does not read: more than the
// kernel buffers between the server and the client. The server's send buffer grows up
// to the third value of Linux's net.ipv4.tcp_wmem (4 MiB by default); the client's
// receive buffer is small once shrunk, but its first window may be larger, and the
// kernel's accounting lets a little more through than the limits say. Four MiB more
// than the send buffer's limit leaves megabytes in the server's own queue: with only one
// more, a server that wrote its goodbye straight to the socket now and then got away with
// it, because everything had already fitted in the kernel.
func shutStallLines() int {
	limit := 8 << 20 // elsewhere; macOS grows send buffers up to a few MiB
	if b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_wmem"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 3 {
			if n, err := strconv.Atoi(f[2]); err == nil {
				limit = n
			}
		}
	}
	return (min(limit, 64<<20) + 4<<20) / shutBulkSize
}
