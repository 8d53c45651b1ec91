package main

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"net"
	"regexp"
	"time"
)

// maxLine is the protocol's limit on one line, in bytes, not counting the line ending.
const maxLine = 4096

// validName is the rule for names: 1 to 32 letters or digits.
var validName = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

// server is the chat server: its settings and its members and rooms.
type server struct {
	queue        int           // the most lines that may wait for one client's writer (-queue)
	nameTimeout  time.Duration // how long a new client has to send its name (-name-timeout)
	idleTimeout  time.Duration // how long a joined client may be silent unwarned (-idle-timeout)
	idleGrace    time.Duration // how long a warned client has to send a line (-idle-grace)
	writeTimeout time.Duration // how long one write to a client may take (-write-timeout)
	reg          *registry
}

// serve accepts connections until the listener is closed, each in its own goroutine.
func (s *server) serve(ln net.Listener) error {
	var delay time.Duration // how long to back off after a failed Accept
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			log.Printf("chat: accept: %v; retrying in %v", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		go s.handle(conn)
	}
}

// handle runs one client's session: it asks for a name, joins the lobby, and obeys
// every line the client sends until the client leaves. It is the client's reader; its
// writer is a second goroutine that owns all writes to the connection.
func (s *server) handle(conn net.Conn) {
	defer conn.Close()
	out := make(chan string, s.queue)
	// The member exists before it has a name, so that the writer can mark it too slow.
	me := &member{out: out, conn: conn}
	written := make(chan struct{})
	go func() {
		defer close(written)
		writeLines(me, out, s.writeTimeout)
	}()
	// The writer stops when its queue is closed, after writing what is left in it.
	defer func() {
		close(out)
		<-written
	}()

	lr := newLineReader(conn)
	out <- "Welcome to budgetchat! What shall I call you?"
	name, err := lr.readLine(s.nameTimeout)
	// TODO(step 1): when no name came in time (err wraps os.ErrDeadlineExceeded), reply
	// "* Sorry, you took too long to choose a name." and return, which closes the
	// connection.
	if errors.Is(err, errLineTooLong) {
		out <- fmt.Sprintf("* Sorry, lines are at most %d bytes.", maxLine)
		return
	}
	if err != nil {
		return // gone before joining: nobody hears of it
	}
	if !validName.MatchString(name) {
		out <- "* Sorry, names are 1 to 32 letters or digits."
		return
	}
	// From here on the registry queues lines for this client too, so every line goes
	// through me.send, which never waits.
	me.name = name
	if !s.reg.join(me) {
		out <- "* Sorry, the name " + name + " is taken."
		return
	}
	why := "" // why the client left, when the others are told: "idle" or "too slow"
	// leave runs before the writer's queue is closed (defers run last first), so the
	// registry never queues a line on a closed channel.
	defer func() {
		if me.tooSlow.Load() {
			why = "too slow"
			log.Printf("chat: %s (%s) disconnected: too slow, its queue was full or a write timed out",
				conn.RemoteAddr(), name)
		}
		s.reg.leave(me, why)
	}()

	// TODO(step 2): a joined client that sends no complete line for s.idleTimeout is
	// warned, once: "* Are you still there? Send anything within D or be disconnected."
	// (D is s.idleGrace, formatted with %v). It then has s.idleGrace to send a line; if it
	// does not, send "* Disconnected: idle for too long." and return with why = "idle", so
	// that the room is told. Any complete line, even an empty one, resets the clock: the
	// next wait is s.idleTimeout again. A timeout is an error wrapping os.ErrDeadlineExceeded.
	for {
		line, err := lr.readLine(s.idleTimeout)
		switch {
		case errors.Is(err, errLineTooLong):
			me.send(fmt.Sprintf("* Sorry, lines are at most %d bytes.", maxLine))
			return
		case err != nil:
			return
		}
		if line != "" && s.obey(me, line) {
			return // the client said /quit
		}
	}
}

// writeLines writes every line queued on out, each followed by "\n", until out is
// closed. Lines queued together go out in one write. Each write may take at most
// timeout; a client that does not take a write in time is too slow, and m is
// disconnected. After a write fails it closes the connection, which ends the reader's
// session, and keeps draining out so that nobody sending to this client ever blocks on it.
func writeLines(m *member, out <-chan string, timeout time.Duration) {
	w := bufio.NewWriter(deadlineWriter{m.conn, timeout})
	var err error
	for line := range out {
		if err != nil {
			continue
		}
		w.WriteString(line)
		w.WriteByte('\n')
		if len(out) == 0 {
			err = w.Flush()
		}
		// TODO(step 4): a write that timed out (err wraps os.ErrDeadlineExceeded) means
		// the client is too slow: log it and call m.disconnectTooSlow, so that the room
		// is told why.
		if err != nil {
			m.conn.Close()
		}
	}
	if err == nil {
		w.Flush()
	}
}

// deadlineWriter gives every write to conn a deadline of its own, so that the writes
// bufio makes when its buffer fills are bounded as well as those of Flush.
type deadlineWriter struct {
	conn    net.Conn
	timeout time.Duration
}

// TODO(step 4): before each write, set a write deadline d.timeout from now
// (conn.SetWriteDeadline), so that a client that does not read cannot hold a write,
// and its writer goroutine, forever.
func (d deadlineWriter) Write(p []byte) (int, error) {
	return d.conn.Write(p)
}
