package load

import (
	"bufio"
	"context"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/selftest"
)

// small is a workload that runs in well under a second, even under the race detector.
func small() Config {
	return Config{
		Clients: 50, Senders: 5, Messages: 40, Window: 8, DialParallel: 8,
		JoinTimeout: 5 * time.Second, Stall: 2 * time.Second, Timeout: 30 * time.Second,
	}
}

func TestRunAgainstLesson04(t *testing.T) {
	t.Parallel()
	srv := Server{Label: "04", Dir: filepath.Join(selftest.Root(t), "solutions", "04-chat")}
	require.NoError(t, srv.Prepare(context.Background(), t.TempDir()))
	running, err := srv.Start(context.Background(), 10*time.Second)
	require.NoError(t, err)
	defer running.Close()

	res, err := Run(context.Background(), small(), running.Target)
	require.NoError(t, err)

	assert.Empty(t, res.Problems)
	assert.Equal(t, 50, res.Joined)
	assert.Positive(t, res.SettleTime, "everyone heard of everyone")
	assert.Equal(t, int64(50*49/2), res.Notices, "every pair of clients makes exactly one entered notice")
	assert.Equal(t, int64(5*40), res.Sent)
	assert.Equal(t, int64(5*40*49), res.Expected)
	assert.Equal(t, res.Expected, res.Delivered)
	assert.Zero(t, res.Lost+res.Duplicated+res.OutOfOrder+res.Unexpected)
	assert.Equal(t, res.Delivered, int64(res.Latency.N))
	assert.Positive(t, res.PerSecond)
	assert.LessOrEqual(t, res.Latency.P50, res.Latency.P99)
	if runtime.GOOS == "linux" {
		assert.Empty(t, res.ResourcesUnavailable)
		assert.Positive(t, res.ServerPeakRSS)
		assert.GreaterOrEqual(t, res.ServerCPU, time.Duration(0))
		assert.GreaterOrEqual(t, res.LoadJoinCPU, time.Duration(0))
		if res.ServerWrites >= 0 { // /proc/PID/io may be closed to us, even for a child
			assert.Positive(t, res.ServerJoinWrites, "the join's notices were written")
			var report strings.Builder
			WriteText(&report, res)
			assert.Contains(t, report.String(), "notices per write call")
		}
	}
}

func TestRunAgainstCeiling(t *testing.T) {
	t.Parallel()
	t.Run("at full speed every message reaches everyone", func(t *testing.T) {
		res := runInProcess(t, small(), ServeCeiling)
		assert.Empty(t, res.Problems)
		assert.Equal(t, int64(5*40*49), res.Delivered)
		assert.Contains(t, res.ResourcesUnavailable, "unavailable", "no process id, no figures")
	})
	t.Run("at a fixed rate the offered rate is reported", func(t *testing.T) {
		cfg := small()
		cfg.Clients, cfg.Messages, cfg.Rate = 10, 20, 400
		res := runInProcess(t, cfg, ServeCeiling)
		assert.Empty(t, res.Problems)
		assert.Equal(t, int64(5*20*9), res.Delivered)
		assert.Equal(t, float64(400*9), res.OfferedRate)
		assert.GreaterOrEqual(t, res.SendTime, 40*time.Millisecond, "100 messages at 400 a second take a quarter of a second")
	})
}

func TestKeptUp(t *testing.T) {
	t.Parallel()
	assert.True(t, keptUp(60_000, 60_000), "all of it")
	assert.True(t, keptUp(59_500, 60_000), "the last line a little late")
	assert.False(t, keptUp(58_000, 60_000), "a queue left at the end")
	assert.False(t, keptUp(5e6, 0), "full speed offers no rate to keep up with")
}

func TestRunEcho(t *testing.T) {
	t.Parallel()
	cfg := small()
	cfg.Mode = Echo
	cfg.Clients, cfg.Messages = 20, 50
	res := runInProcess(t, cfg, func(ln net.Listener) error {
		return acceptEach(ln, func(c net.Conn) { _, _ = io.Copy(c, c) })
	})
	assert.Empty(t, res.Problems)
	assert.Equal(t, int64(20*50), res.Delivered)
	assert.Equal(t, int64(20*50), res.Expected)
}

func TestRunReportsWhatGoesWrong(t *testing.T) {
	t.Parallel()
	t.Run("a server slower than the offered rate: reported as fallen behind, not as wrong", func(t *testing.T) {
		cfg := small()
		cfg.Clients, cfg.Messages, cfg.Rate = 6, 20, 400
		// 10ms a line, one line at a time, is 100 lines a second against the 400
		// offered: a quarter of it.
		var busy sync.Mutex
		res := runInProcess(t, cfg, fakeChat(func(string) int {
			busy.Lock()
			defer busy.Unlock()
			time.Sleep(10 * time.Millisecond)
			return 1
		}))
		assert.Empty(t, res.Problems, "slow is not wrong: everything arrives")
		assert.False(t, res.KeptUp)
		assert.Less(t, res.PerSecond, res.OfferedRate/2)
		var report strings.Builder
		WriteText(&report, res)
		assert.Contains(t, report.String(), "fell behind, delivered")
	})
	t.Run("a server that relays nothing: every delivery lost, and the run still ends", func(t *testing.T) {
		cfg := small()
		cfg.Clients, cfg.Stall = 6, 300*time.Millisecond
		start := time.Now()
		res := runInProcess(t, cfg, fakeChat(func(string) int { return 0 }))
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Equal(t, int64(0), res.Delivered)
		assert.Equal(t, res.Expected, res.Lost)
		assert.Positive(t, res.Lost)
		assert.Equal(t, 5, res.Stalled, "every sender's window filled and it gave up")
		assert.False(t, res.OK())
	})
	t.Run("a server that never answers names: connecting stops after a few failures", func(t *testing.T) {
		cfg := small()
		cfg.Clients, cfg.DialParallel, cfg.JoinTimeout = 200, 4, 200*time.Millisecond
		start := time.Now()
		res := runInProcess(t, cfg, func(ln net.Listener) error {
			return acceptEach(ln, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
		})
		assert.Less(t, time.Since(start), 5*time.Second, "200 clients at 200ms each would take 10s")
		assert.Zero(t, res.Joined)
		// It stops at max(dial parallelism, clients/20) = 10 failures; the clients that
		// were joining at that moment fail too.
		assert.GreaterOrEqual(t, res.JoinErrors, 10)
		assert.LessOrEqual(t, res.JoinErrors, 10+cfg.DialParallel)
		assert.Contains(t, strings.Join(res.Problems, "\n"), "connecting stopped")
	})
	t.Run("a receiver disconnected mid-run: its deliveries are lost, the others go on", func(t *testing.T) {
		cfg := small()
		cfg.Clients, cfg.Messages = 8, 30
		start := time.Now()
		res := runInProcess(t, cfg, fakeChatKicking(
			func(string) int { return 1 },
			func(line string) string {
				if strings.HasPrefix(line, "[u0] 10 ") {
					return "u7"
				}
				return ""
			}))
		assert.Less(t, time.Since(start), cfg.Stall, "nobody waited for the lost client")
		assert.Equal(t, 1, res.Disconnected)
		assert.Zero(t, res.Stalled)
		assert.Equal(t, int64(5*30), res.Sent)
		// u7 got messages 0-9 of u0, and some of the others' before it went; it
		// misses the rest of the 150.
		assert.Positive(t, res.Lost)
		assert.LessOrEqual(t, res.Lost, int64(150-10))
		assert.Equal(t, res.Expected, res.Delivered+res.Lost)
	})
	t.Run("a server that sends every message twice: duplicates counted", func(t *testing.T) {
		cfg := small()
		cfg.Clients = 6
		res := runInProcess(t, cfg, fakeChat(func(string) int { return 2 }))
		assert.Zero(t, res.Lost)
		// The second copies of the last few messages may come after the run has
		// everything it waited for; the rest are all counted.
		assert.LessOrEqual(t, res.Duplicated, res.Expected)
		assert.GreaterOrEqual(t, res.Duplicated, res.Expected*9/10)
		assert.Contains(t, strings.Join(res.Problems, "\n"), "duplicated")
	})
	t.Run("a server that drops one message in ten: each one lost counted", func(t *testing.T) {
		cfg := small()
		cfg.Clients, cfg.Stall = 6, 300*time.Millisecond
		cfg.Window = 1000 // no stall: the senders never wait
		res := runInProcess(t, cfg, fakeChat(func(text string) int {
			if strings.HasPrefix(text, "7 ") || strings.HasPrefix(text, "17 ") || strings.HasPrefix(text, "27 ") || strings.HasPrefix(text, "37 ") {
				return 0
			}
			return 1
		}))
		assert.Equal(t, int64(5*4*5), res.Lost, "4 messages of each of 5 senders, for 5 receivers each")
		assert.Equal(t, res.Expected-res.Lost, res.Delivered)
		assert.Contains(t, strings.Join(res.Problems, "\n"), "lost")
	})
}

// runInProcess serves with serve on a loopback listener of this process and runs cfg
// against it.
func runInProcess(t *testing.T, cfg Config, serve func(net.Listener) error) *Result {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = serve(ln)
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	res, err := Run(context.Background(), cfg, Target{Addr: ln.Addr().String()})
	require.NoError(t, err)
	return res
}

func acceptEach(ln net.Listener, handle func(net.Conn)) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			handle(c)
		}()
	}
}

// fakeChat is a Budget Chat server for tests of the accounting: copies(text) says how
// many times a message is relayed to each other member (0 drops it).
func fakeChat(copies func(text string) int) func(net.Listener) error {
	return fakeChatKicking(copies, func(string) string { return "" })
}

// fakeChatKicking is fakeChat that also disconnects the member named kick(text), if any,
// before it relays text.
func fakeChatKicking(copies func(text string) int, kick func(text string) string) func(net.Listener) error {
	var (
		mu      sync.Mutex // guards members, and serialises writes to them
		members = map[string]net.Conn{}
	)
	broadcast := func(from, line string, n int) {
		mu.Lock()
		defer mu.Unlock()
		if name := kick(line); name != "" && members[name] != nil {
			members[name].Close()
			delete(members, name)
		}
		for name, c := range members {
			if name != from {
				for range n {
					_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
					_, _ = io.WriteString(c, line)
				}
			}
		}
	}
	return func(ln net.Listener) error {
		return acceptEach(ln, func(c net.Conn) {
			in := bufio.NewReader(c)
			_, _ = io.WriteString(c, "Welcome\n")
			name, err := in.ReadString('\n')
			if err != nil {
				return
			}
			name = strings.TrimSpace(name)
			mu.Lock()
			var others []string
			for n := range members {
				others = append(others, n)
			}
			_, _ = io.WriteString(c, "* The room contains: "+strings.Join(others, ", ")+"\n")
			members[name] = c
			mu.Unlock()
			broadcast(name, "* "+name+" has entered the room\n", 1)
			defer func() {
				mu.Lock()
				delete(members, name)
				mu.Unlock()
			}()
			for {
				text, err := in.ReadString('\n')
				if err != nil {
					return
				}
				text = strings.TrimSuffix(text, "\n")
				broadcast(name, "["+name+"] "+text+"\n", copies(text))
			}
		})
	}
}
