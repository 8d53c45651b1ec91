package main

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOutbox(t *testing.T) {
	t.Run("gives the writer every waiting line at once, in order", func(t *testing.T) {
		o := newOutbox()
		o.add("one")
		o.add("two")
		batch, ok := o.take(nil)
		require.True(t, ok)
		assert.Equal(t, "one\ntwo\n", string(batch))
	})
	t.Run("refuses a line when max lines are waiting, and counts again after a take", func(t *testing.T) {
		o := newOutbox()
		assert.True(t, o.addWithin("a", 2))
		assert.True(t, o.addWithin("b", 2))
		assert.False(t, o.addWithin("c", 2))
		_, ok := o.take(nil)
		require.True(t, ok)
		assert.True(t, o.addWithin("c", 2))
	})
	t.Run("after close, the writer gets what is left, then is told to stop", func(t *testing.T) {
		o := newOutbox()
		o.add("last")
		o.close()
		o.add("too late")
		batch, ok := o.take(nil)
		require.True(t, ok)
		assert.Equal(t, "last\n", string(batch))
		_, ok = o.take(batch[:0])
		assert.False(t, ok)
	})
	t.Run("wakes a waiting writer", func(t *testing.T) {
		o := newOutbox()
		got := make(chan string)
		go func() {
			batch, _ := o.take(nil)
			got <- string(batch)
		}()
		o.add("hello")
		select {
		case line := <-got:
			assert.Equal(t, "hello\n", line)
		case <-time.After(5 * time.Second):
			t.Fatal("the writer was not woken")
		}
	})
}

func TestLineReader(t *testing.T) {
	t.Run("grows for a long line, then shrinks back", func(t *testing.T) {
		long := strings.Repeat("x", 3000)
		lr := newLineReader(context.Background(), &scriptConn{data: long + "\r\nshort\n"}, 4096)
		line, err := lr.readLine(time.Minute)
		require.NoError(t, err)
		assert.Equal(t, long, line)
		line, err = lr.readLine(time.Minute)
		require.NoError(t, err)
		assert.Equal(t, "short", line)
		assert.Equal(t, readBuffer, len(lr.buf))
	})
	t.Run("refuses a line one byte longer than max", func(t *testing.T) {
		lr := newLineReader(context.Background(), &scriptConn{data: strings.Repeat("x", 11) + "\n"}, 10)
		_, err := lr.readLine(time.Minute)
		assert.ErrorIs(t, err, errLineTooLong)
	})
	t.Run("keeps the start of a line across a read error, and drops a last line without an end", func(t *testing.T) {
		conn := &scriptConn{data: "hel"}
		lr := newLineReader(context.Background(), conn, 10)
		_, err := lr.readLine(time.Minute)
		require.ErrorIs(t, err, errScriptDone)
		conn.data = "lo\n" // as after a read deadline: the rest of the line comes later
		line, err := lr.readLine(time.Minute)
		require.NoError(t, err)
		assert.Equal(t, "hello", line)
	})
}

var errScriptDone = errors.New("nothing more to read")

// scriptConn is a connection that reads data a few bytes at a time, then fails with
// errScriptDone until it is given more data.
type scriptConn struct {
	net.Conn
	data string
}

func (c *scriptConn) Read(p []byte) (int, error) {
	if c.data == "" {
		return 0, errScriptDone
	}
	n := copy(p, c.data[:min(len(c.data), 7)])
	c.data = c.data[n:]
	return n, nil
}

func (c *scriptConn) SetReadDeadline(time.Time) error { return nil }
