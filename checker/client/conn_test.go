package client

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serverScript starts a one-connection loopback server that runs script on the
// connection, and returns a client connected to it.
func serverScript(t *testing.T, step time.Duration, script func(net.Conn)) (*Conn, *Log) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		script(conn)
	}()
	log := NewLog()
	c, err := Dial(context.Background(), ln.Addr().String(), "alice", log, step)
	require.NoError(t, err)
	t.Cleanup(func() {
		c.Release()
		<-done
	})
	return c, log
}

func TestReadLine(t *testing.T) {
	t.Run("joins a line that arrives in pieces", func(t *testing.T) {
		c, _ := serverScript(t, time.Second, func(conn net.Conn) {
			for _, piece := range []string{"hel", "lo", "\nworld\n"} {
				conn.Write([]byte(piece))
			}
		})
		for _, want := range []string{"hello", "world"} {
			got, err := c.ReadLine()
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
	})

	t.Run("names the wait when nothing comes", func(t *testing.T) {
		release := make(chan struct{})
		c, _ := serverScript(t, 50*time.Millisecond, func(conn net.Conn) {
			conn.Write([]byte("partial"))
			<-release
		})
		defer close(release)
		_, err := c.ExpectLine(Exact("hello"))
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "alice", e.Client)
		assert.Contains(t, e.Got, `"partial"`)
		assert.GreaterOrEqual(t, e.Waited, 50*time.Millisecond)
	})

	t.Run("reports a close before the line", func(t *testing.T) {
		c, _ := serverScript(t, time.Second, func(conn net.Conn) {})
		_, err := c.ReadLine()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "the server closed it")
	})

	t.Run("refuses to buffer a line without end", func(t *testing.T) {
		c, _ := serverScript(t, 5*time.Second, func(conn net.Conn) {
			conn.Write([]byte(strings.Repeat("x", MaxLine+100)))
		})
		_, err := c.ReadLine()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "without a newline")
	})
}

func TestExpectLine(t *testing.T) {
	t.Run("points at the first wrong byte", func(t *testing.T) {
		c, _ := serverScript(t, time.Second, func(conn net.Conn) { conn.Write([]byte("hellO\n")) })
		got, err := c.ExpectLine(Exact("hello"))
		assert.Equal(t, "hellO", got)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "^ first difference at byte 4")
	})

	t.Run("accepts lines in any order when asked to", func(t *testing.T) {
		c, _ := serverScript(t, time.Second, func(conn net.Conn) { conn.Write([]byte("b\na\n")) })
		got, err := c.ExpectLinesAnyOrder([]Matcher{Exact("a"), Exact("b")})
		require.NoError(t, err)
		assert.Equal(t, []string{"b", "a"}, got)
	})

	t.Run("rejects a line that matches none of those awaited", func(t *testing.T) {
		c, _ := serverScript(t, time.Second, func(conn net.Conn) { conn.Write([]byte("a\nc\n")) })
		_, err := c.ExpectLinesAnyOrder([]Matcher{Exact("a"), Exact("b")})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `"c\n"`)
	})
}

func TestExpectClosed(t *testing.T) {
	t.Run("passes when the server closes", func(t *testing.T) {
		c, _ := serverScript(t, time.Second, func(conn net.Conn) {})
		assert.NoError(t, c.ExpectClosed())
	})

	t.Run("fails on data before the close", func(t *testing.T) {
		c, _ := serverScript(t, time.Second, func(conn net.Conn) { conn.Write([]byte("surprise\n")) })
		err := c.ExpectClosed()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "more data")
	})
}

func TestHints(t *testing.T) {
	t.Run("attaches a hint once and keeps the first", func(t *testing.T) {
		err := WithHint(WithHint(Failf("bob", "x", "y"), "first"), "second")
		assert.Equal(t, "first", HintOf(err))
		assert.Equal(t, "bob", ClientOf(err))
	})
}

func TestLogRender(t *testing.T) {
	log := NewLog()
	log.Add("bob", Sent, "hi\n")
	log.Add("alice", Received, "x\n")
	log.Add("alice", Received, "y\n")
	out := log.Render([]string{"alice"}, 1, 10)
	assert.Less(t, strings.Index(out, "alice:"), strings.Index(out, "bob:"), "the client in focus comes first")
	assert.Contains(t, out, `"y\n"`, "the client in focus is shown in full")
}

func TestCaret(t *testing.T) {
	t.Run("points under the first wrong byte of short strings", func(t *testing.T) {
		out := caret("hello\n", "hellO\n")
		lines := strings.Split(out, "\n")
		require.Len(t, lines, 3)
		assert.Equal(t, strings.Index(lines[1], "O"), strings.Index(lines[2], "^"))
	})
	t.Run("shows a window around the difference in long data", func(t *testing.T) {
		want := strings.Repeat("a", 1000) + "b" + strings.Repeat("a", 1000)
		got := strings.Repeat("a", 1000) + "X" + strings.Repeat("a", 1000)
		out := caret(want, got)
		assert.Contains(t, out, "first difference at byte 1000")
		lines := strings.Split(out, "\n")
		assert.Less(t, len(lines[1]), 100, "the window is short")
		assert.Equal(t, strings.IndexRune(lines[1], 'X'), strings.Index(lines[2], "^")+len("…")-1)
	})
}

func TestLogRenderLongHistory(t *testing.T) {
	log := NewLog()
	for i := 0; i < 1000; i++ {
		log.Add("alice", Received, fmt.Sprintf("line %d\n", i))
	}
	out := log.Render([]string{"alice"}, 5, 5)
	assert.Contains(t, out, `"line 0\n"`, "the beginning is kept")
	assert.Contains(t, out, `"line 999\n"`, "the end is kept")
	assert.Contains(t, out, "events left out")
	assert.Less(t, strings.Count(out, "\n"), 70)
}
