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
		b, ok := o.take()
		require.True(t, ok)
		assert.Equal(t, []string{"one", "two"}, b.lines)
	})
	t.Run("refuses a line when max lines are waiting, and counts again after a take", func(t *testing.T) {
		o := newOutbox()
		assert.True(t, o.addWithin("a", 2))
		assert.True(t, o.addWithin("b", 2))
		assert.False(t, o.addWithin("c", 2))
		_, ok := o.take()
		require.True(t, ok)
		assert.True(t, o.addWithin("c", 2))
	})
	t.Run("after close, the writer gets what is left, then is told to stop", func(t *testing.T) {
		o := newOutbox()
		o.add("last")
		o.close()
		o.add("too late")
		b, ok := o.take()
		require.True(t, ok)
		assert.Equal(t, []string{"last"}, b.lines)
		putBatch(b)
		_, ok = o.take()
		assert.False(t, ok)
	})
	t.Run("wakes a waiting writer", func(t *testing.T) {
		o := newOutbox()
		got := make(chan []string)
		go func() {
			b, _ := o.take()
			got <- b.lines
		}()
		o.add("hello")
		select {
		case lines := <-got:
			assert.Equal(t, []string{"hello"}, lines)
		case <-time.After(5 * time.Second):
			t.Fatal("the writer was not woken")
		}
	})
	t.Run("a batch given back keeps no line", func(t *testing.T) {
		b := &batch{lines: []string{"a", "b"}}
		lines := b.lines
		putBatch(b)
		assert.Empty(t, b.lines)
		assert.Equal(t, []string{"", ""}, lines, "the pool would keep the lines from being collected")
	})
}

func TestWriteBatch(t *testing.T) {
	t.Run("writes every line with its end in one write", func(t *testing.T) {
		conn := &recordConn{}
		require.NoError(t, writeBatch(conn, []string{"one", "", "three"}, time.Minute))
		assert.Equal(t, []string{"one\n\nthree\n"}, conn.writes)
	})
	t.Run("writes at most writeChunk bytes at a time, and loses no byte between writes", func(t *testing.T) {
		conn := &recordConn{}
		long := strings.Repeat("x", writeChunk+100)
		lines := []string{"first", long, strings.Repeat("y", writeChunk-1), "last"}
		require.NoError(t, writeBatch(conn, lines, time.Minute))
		for _, w := range conn.writes {
			assert.LessOrEqual(t, len(w), writeChunk)
		}
		assert.Equal(t, strings.Join(lines, "\n")+"\n", strings.Join(conn.writes, ""))
	})
	t.Run("stops at the first failed write", func(t *testing.T) {
		conn := &recordConn{fail: errScriptDone}
		err := writeBatch(conn, []string{strings.Repeat("x", 3*writeChunk)}, time.Minute)
		assert.ErrorIs(t, err, errScriptDone)
		assert.Len(t, conn.writes, 1)
	})
}

// recordConn is a connection that keeps what is written to it, one string per write,
// and fails every write with fail, if it is set.
type recordConn struct {
	net.Conn
	writes []string
	fail   error
}

func (c *recordConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, string(p))
	if c.fail != nil {
		return 0, c.fail
	}
	return len(p), nil
}

func (c *recordConn) SetWriteDeadline(time.Time) error { return nil }

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
