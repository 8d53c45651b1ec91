package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"regexp"
	"time"

	"golang.org/x/sync/semaphore"
)

// validName is the rule for names: 1 to 32 letters or digits.
var validName = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

// server is the chat server: its settings and its members and rooms.
type server struct {
	queue        int                 // the most lines that may wait for one client's writer (-queue)
	nameTimeout  time.Duration       // how long a new client has to send its name (-name-timeout)
	idleTimeout  time.Duration       // how long a joined client may be silent unwarned (-idle-timeout)
	idleGrace    time.Duration       // how long a warned client has to send a line (-idle-grace)
	writeTimeout time.Duration       // how long one write to a client may take (-write-timeout)
	maxLine      int                 // the longest line, not counting its ending (-max-line)
	rate         float64             // lines per second a joined client may send; 0 is no limit (-rate)
	burst        int                 // lines a joined client may send at once (-burst)
	slots        *semaphore.Weighted // one unit per open connection (-max-clients)
	reg          *registry
}

// serve accepts connections until the listener is closed, each in its own goroutine
// that holds one of the slots until it ends. A client that finds no free slot is told
// so and closed.
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
		// TODO(step 1): take one of the slots for this connection before starting its
		// goroutine. s.slots.TryAcquire(1) takes one if one is free and never waits;
		// when none is, refuse the client (s.refuse) and go back to Accept. Do not use
		// Acquire: it waits for a slot, and the client would hang with no answer.
		go s.handle(conn)
	}
}

// refuse tells a client that the server is full and closes its connection. It runs in
// the accept loop: one short line fits in a new connection's empty send buffer, so the
// write does not wait, and the deadline bounds it in case it would.
func (s *server) refuse(conn net.Conn) {
	defer conn.Close()
	log.Printf("chat: %s refused: the server is full", conn.RemoteAddr())
	if err := conn.SetWriteDeadline(time.Now().Add(s.writeTimeout)); err != nil {
		return
	}
	if _, err := io.WriteString(conn, "* Sorry, the server is full. Try again later.\n"); err != nil {
		log.Printf("chat: %s: %v", conn.RemoteAddr(), err)
	}
}

// handle runs one client's connection from accept to close, and then frees its slot.
// Its goroutine is the client's reader; the writer is a second goroutine that owns all
// writes to the connection.
func (s *server) handle(conn net.Conn) {
	out := make(chan string, s.queue)
	// The member exists before it has a name, so that the writer can mark it too slow.
	me := &member{out: out, conn: conn}
	written := make(chan struct{})
	go func() {
		defer close(written)
		writeLines(me, out, s.writeTimeout)
	}()

	joined, why := s.session(me)

	// The order of what follows matters. Leaving comes before the queue is closed, so
	// the registry never queues a line on a closed channel. The writer stops once its
	// queue is closed, after writing what is left in it.
	//
	// TODO(step 1): free this connection's slot here, first, so that a client who
	// hears that this one left can take it at once: s.slots.Release(1). Every way a
	// session ends comes through here, so the slot is freed exactly once.
	if joined {
		if me.tooSlow.Load() {
			why = "too slow"
			log.Printf("chat: %s (%s) disconnected: too slow, its queue was full or a write timed out",
				conn.RemoteAddr(), me.name)
		}
		s.reg.leave(me, why)
	}
	close(out)
	<-written
	conn.Close()
}

// session speaks the protocol with one client: it asks for a name, joins the lobby, and
// obeys every line the client sends, until the client goes or must go. It reports
// whether the client joined and, if it did, why it went when the others are to be told
// ("idle"), but it does not leave: handle does.
func (s *server) session(me *member) (joined bool, why string) {
	lr := newLineReader(me.conn, s.maxLine)
	me.out <- "Welcome to budgetchat! What shall I call you?"
	name, err := lr.readLine(s.nameTimeout)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		me.out <- "* Sorry, you took too long to choose a name."
		return false, ""
	}
	if errors.Is(err, errLineTooLong) {
		me.out <- s.tooLong()
		return false, ""
	}
	if err != nil {
		return false, "" // gone before joining: nobody hears of it
	}
	if !validName.MatchString(name) {
		me.out <- "* Sorry, names are 1 to 32 letters or digits."
		return false, ""
	}
	// From here on the registry queues lines for this client too, so every line goes
	// through me.send, which never waits.
	me.name = name
	if !s.reg.join(me) {
		me.out <- "* Sorry, the name " + name + " is taken."
		return false, ""
	}

	// TODO(step 3): give this client a token bucket of its own (newTokenBucket with
	// s.rate, s.burst and time.Now), unless s.rate is 0, which means no limit.
	warned := false // whether the client was asked if it is still there
	for {
		wait := s.idleTimeout
		if warned {
			wait = s.idleGrace
		}
		line, err := lr.readLine(wait)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded) && !warned:
			me.send(fmt.Sprintf("* Are you still there? Send anything within %v or be disconnected.", s.idleGrace))
			warned = true
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			me.send("* Disconnected: idle for too long.")
			return true, "idle"
		case errors.Is(err, errLineTooLong):
			me.send(s.tooLong())
			return true, ""
		case err != nil:
			return true, ""
		}
		warned = false // any complete line, even an empty one, resets the idle clock
		if line == "" {
			continue // ignored, so it costs nothing
		}
		// TODO(step 3): every line, a command included, spends a token. With none left,
		// answer "* Slow down: at most RATE lines per second. Your line was dropped."
		// (RATE as strconv.FormatFloat(s.rate, 'g', -1, 64) prints it), drop the line
		// and read the next one: too fast is not a reason to disconnect.
		if s.obey(me, line) {
			return true, "" // the client said /quit
		}
	}
}

// tooLong is the reply to a line longer than -max-line.
//
// TODO(step 2): name the limit the server runs with, s.maxLine, not 4096.
func (s *server) tooLong() string {
	return fmt.Sprintf("* Sorry, lines are at most %d bytes.", 4096)
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
		if errors.Is(err, os.ErrDeadlineExceeded) {
			log.Printf("chat: %s: a write took longer than %v", m.conn.RemoteAddr(), timeout)
			m.disconnectTooSlow()
		} else if err != nil {
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

func (d deadlineWriter) Write(p []byte) (int, error) {
	if err := d.conn.SetWriteDeadline(time.Now().Add(d.timeout)); err != nil {
		return 0, err
	}
	return d.conn.Write(p)
}
