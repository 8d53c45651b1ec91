package load

import (
	"bytes"
	"errors"
	"net"
	"sync/atomic"
	"time"
)

// Buffer sizes of a client's reader. A read takes whatever has arrived, up to readSize
// bytes; a longer line (a presence line with thousands of names) grows the buffer up to
// maxLineSize.
const (
	readSize    = 8 << 10
	maxLineSize = 4 << 20
)

// The states of a chat client's reader.
const (
	stWelcome  = iota // waiting for the welcome line
	stPresence        // name sent, waiting for the presence line
	stJoined          // in the room
)

// client is one simulated client: a connection, a reader goroutine that accounts for
// every line received, and (for senders) a sender goroutine that writes messages.
type client struct {
	id   int
	slot int // the sender slot whose messages are this client's own, or -1
	conn *net.TCPConn
	run  *run

	joined chan struct{} // closed when the presence line arrives (chat)
	ended  chan struct{} // closed when the reader has stopped
	heard  atomic.Int32  // others this client knows are in the room (chat)
	gone   bool          // the reader has stopped; guarded by run.liveMu

	// Owned by the reader goroutine until ended is closed.
	state    int
	joinedAt int64 // run clock, when the presence line arrived
	tally    *tally
	lastRecv int64 // run clock, the last delivery
	lefts    int64
	notices  int64
	strange  int64 // lines that fit nothing the protocol sends here
	endErr   error // why reading stopped
}

// read is the client's reader goroutine. It reads whatever has arrived, stamps it with
// one clock reading, and accounts for every complete line in it.
func (c *client) read() {
	defer close(c.ended)
	defer c.run.readerEnded(c)
	buf := make([]byte, readSize)
	start, end := 0, 0
	for {
		n, err := c.conn.Read(buf[end:])
		if n > 0 {
			if c.run.finished.Load() {
				return // the run is over: what comes now is not measured
			}
			now := c.run.now()
			end += n
			var delivered int64
			for {
				i := bytes.IndexByte(buf[start:end], '\n')
				if i < 0 {
					break
				}
				if c.line(buf[start:start+i], now) {
					delivered++
				}
				start += i + 1
			}
			if delivered > 0 {
				c.run.delivered.Add(delivered)
			}
			switch {
			case start == end:
				start, end = 0, 0
				if len(buf) > readSize {
					buf = make([]byte, readSize) // let a grown buffer go
				}
			case end == len(buf) && start > 0:
				end = copy(buf, buf[start:end])
				start = 0
			case end == len(buf) && len(buf) < maxLineSize:
				buf = append(buf, make([]byte, len(buf))...)
			case end == len(buf):
				c.endErr = errors.New("a line longer than 4 MiB arrived")
				return
			}
		}
		if err != nil {
			if !c.run.finished.Load() {
				c.endErr = err
			}
			return
		}
	}
}

// line accounts for one line and reports whether it was a first delivery of a message.
func (c *client) line(b []byte, now int64) bool {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	r := c.run
	if r.cfg.Mode == Echo {
		seq, ts, ok := parseMessage(b)
		if !ok {
			c.strange++
			return false
		}
		return c.deliver(0, c.slot, seq, now-ts, now)
	}
	switch {
	case c.state == stWelcome:
		c.state = stPresence
	case len(b) > 0 && b[0] == '[':
		id, seq, ts, ok := parseChat(b)
		if !ok || c.state != stJoined || id >= r.cfg.Senders || id == c.id {
			c.strange++
			return false
		}
		return c.deliver(id, id, seq, now-ts, now)
	case c.state == stPresence:
		// The first line after the welcome is the presence line, whatever its wording,
		// unless the server refused the name.
		if bytes.Contains(b, []byte("Sorry")) || len(b) == 0 || b[0] != '*' {
			c.strange++
			c.endErr = errors.New("not admitted: " + string(b))
			_ = c.conn.Close()
			return false
		}
		c.heard.Add(int32(countNames(b)))
		c.joinedAt = now
		c.state = stJoined
		close(c.joined)
	case bytes.Contains(b, []byte(" entered")):
		c.notices++
		c.heard.Add(1)
	case bytes.Contains(b, []byte(" left")):
		c.lefts++
	default:
		c.strange++
	}
	return false
}

// deliver accounts for message seq of sender slot, which latency after it was sent. The
// tally uses slot tallySlot (0 in echo, where a client hears only itself).
func (c *client) deliver(tallySlot, slot, seq int, latency, now int64) bool {
	if !c.tally.record(tallySlot, seq) {
		return false
	}
	c.lastRecv = now
	r := c.run
	r.latency.Record(c.id, time.Duration(latency))
	r.delivered1(slot, seq)
	return true
}

// endedByServer reports whether the client's reading stopped during the run for a
// reason other than the run closing it: the server closed or reset the connection, or a
// read failed.
func (c *client) endedByServer() bool {
	return c.endErr != nil && !errors.Is(c.endErr, net.ErrClosed)
}
