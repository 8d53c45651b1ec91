package load

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"sync"
	"time"
)

// ServeCeiling serves Budget Chat on ln doing as little work per delivery as a server
// can, until ln is closed. It exists to measure the load tool itself: run against it,
// the figures show what the tool can absorb, which must be more than any real server
// sends ("checker load -vs ceiling").
//
// Every line goes once into one shared, append-only log. Each member's writer sends the
// part of the log it has not sent yet, skipping its own lines, as one vectored write that
// points into the log: nothing is copied per recipient and no queue is kept per member.
//
// NOTE: the log is never trimmed, so memory grows with every line ever sent. That is
// fine for a bounded load run and the reason this is not a design to copy for a server
// that runs for days (lesson 05's bounded queues are).
func ServeCeiling(ln net.Listener) error {
	c := &ceiling{names: map[string]bool{}}
	c.cond = sync.NewCond(&c.mu)
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			time.Sleep(10 * time.Millisecond) // out of file descriptors, say: try again soon
			continue
		}
		go c.handle(conn)
	}
}

// ceiling is the shared state of ServeCeiling.
type ceiling struct {
	mu       sync.Mutex // guards the fields below; cond signals that lines grew
	cond     *sync.Cond
	log      []byte           // every broadcast line, back to back
	lines    []ceilingLine    // the lines of log, in order
	names    map[string]bool  // joined members
	presence []byte           // "u1, u2, ..." for the next newcomer
	members  []*ceilingMember // joined members, for rebuilding presence after a departure
}

type ceilingLine struct {
	start int            // offset in log of the line's first byte
	end   int            // offset in log just past the line's "\n"
	from  *ceilingMember // who caused it; it is not sent back to them
}

type ceilingMember struct {
	name string
	gone bool // set under ceiling.mu when the member's reader has ended
}

func (c *ceiling) handle(conn net.Conn) {
	defer conn.Close()
	if _, err := conn.Write([]byte("Welcome to budgetchat! What shall I call you?\n")); err != nil {
		return
	}
	in := bufio.NewReaderSize(conn, 4098)
	name, err := readCeilingLine(in)
	if err != nil || len(name) == 0 || len(name) > 32 || !alnum(name) {
		_, _ = conn.Write([]byte("* Sorry, names are 1 to 32 letters or digits.\n"))
		return
	}
	m := &ceilingMember{name: string(name)}

	c.mu.Lock()
	if c.names[m.name] {
		c.mu.Unlock()
		_, _ = conn.Write([]byte("* Sorry, the name " + m.name + " is taken.\n"))
		return
	}
	first := append([]byte("* The room contains: "), c.presence...)
	first = append(first, '\n')
	c.appendLocked(m, "* "+m.name+" has entered the room\n")
	from := len(c.lines)
	c.names[m.name] = true
	c.members = append(c.members, m)
	if len(c.presence) > 0 {
		c.presence = append(c.presence, ", "...)
	}
	c.presence = append(c.presence, m.name...)
	c.mu.Unlock()

	done := make(chan struct{})
	go func() {
		defer close(done)
		c.write(conn, m, first, from)
	}()
	for {
		line, err := readCeilingLine(in)
		if err != nil {
			break
		}
		if len(line) > 0 {
			c.mu.Lock()
			c.appendLocked(m, "["+m.name+"] "+string(line)+"\n")
			c.mu.Unlock()
		}
	}
	c.mu.Lock()
	m.gone = true
	delete(c.names, m.name)
	c.presence = c.presence[:0]
	kept := c.members[:0]
	for _, o := range c.members {
		if o != m {
			kept = append(kept, o)
			if len(c.presence) > 0 {
				c.presence = append(c.presence, ", "...)
			}
			c.presence = append(c.presence, o.name...)
		}
	}
	c.members = kept
	c.appendLocked(m, "* "+m.name+" has left the room\n")
	c.mu.Unlock()
	_ = conn.Close()
	<-done
}

// appendLocked adds a line to the log and wakes every writer. The caller holds c.mu.
func (c *ceiling) appendLocked(from *ceilingMember, line string) {
	start := len(c.log)
	c.log = append(c.log, line...)
	c.lines = append(c.lines, ceilingLine{start: start, end: len(c.log), from: from})
	c.cond.Broadcast()
}

// write is member m's writer: it sends first, then every line of the log from line
// index next on that m did not cause, until m is gone or a write fails.
func (c *ceiling) write(conn net.Conn, m *ceilingMember, first []byte, next int) {
	bufs := net.Buffers{first}
	for {
		if len(bufs) > 0 {
			_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := bufs.WriteTo(conn); err != nil {
				_ = conn.Close()
				return
			}
		}
		c.mu.Lock()
		for next == len(c.lines) && !m.gone {
			c.cond.Wait()
		}
		if m.gone {
			c.mu.Unlock()
			return
		}
		// The log's bytes up to its length never change, so slices of it stay valid
		// after the lock is released, even if a later append moves the log.
		log, lines := c.log, c.lines[next:]
		next = len(c.lines)
		c.mu.Unlock()

		// One buffer per run of lines that m did not cause.
		bufs = bufs[:0]
		runStart := lines[0].start
		for _, l := range lines {
			if l.from == m {
				if runStart < l.start {
					bufs = append(bufs, log[runStart:l.start])
				}
				runStart = l.end
			}
		}
		if end := lines[len(lines)-1].end; runStart < end {
			bufs = append(bufs, log[runStart:end])
		}
	}
}

// readCeilingLine reads one line without its "\n" or "\r\n"; longer than 4096 bytes is
// an error.
func readCeilingLine(in *bufio.Reader) ([]byte, error) {
	line, err := in.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	return line, nil
}

func alnum(b []byte) bool {
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
