package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// validName is the rule for names: 1 to 32 letters or digits.
var validName = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

// server is the chat server: its settings, its listener, its members and rooms, and the
// two stages of its shutdown.
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
	ln           net.Listener

	reading     context.Context         // done when the shutdown stops all reading
	stopReading context.CancelCauseFunc // called by shutdown
	open        context.Context         // done when the shutdown has waited too long
	closeAll    context.CancelFunc      // closes every connection at once
}

// serve accepts connections until the shutdown closes the listener, each in its own
// goroutine in g that holds one of the slots until it ends. A client that finds no free
// slot is told so and closed.
func (s *server) serve(g *errgroup.Group) error {
	var delay time.Duration // how long to back off after a failed Accept
	for {
		conn, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			// Such as running out of file descriptors: back off (5ms doubling to 1s,
			// as net/http does) instead of spinning or giving up.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			slog.Warn("accept failed", "err", err, "retry_in", delay.String())
			time.Sleep(delay)
			continue
		}
		delay = 0
		if !s.slots.TryAcquire(1) {
			s.refuse(conn)
			continue
		}
		g.Go(func() error {
			s.handle(conn)
			return nil
		})
	}
}

// refuse tells a client that the server is full and closes its connection. It runs in
// the accept loop: one short line fits in a new connection's empty send buffer, so the
// write does not wait, and the deadline bounds it in case it would.
func (s *server) refuse(conn net.Conn) {
	defer conn.Close()
	defer slog.Info("connection ended", "addr", conn.RemoteAddr().String(), "reason", reasonServerFull)
	if err := conn.SetWriteDeadline(time.Now().Add(s.writeTimeout)); err != nil {
		return
	}
	if _, err := io.WriteString(conn, "* Sorry, the server is full. Try again later.\n"); err != nil {
		slog.Debug("refusing failed", "addr", conn.RemoteAddr().String(), "err", err)
	}
}

// handle runs one client's connection from accept to close, then frees its slot and
// logs why the connection ended. Its goroutine is the client's reader; the writer is a
// second goroutine that owns all writes to the connection, and that handle waits for.
// During a shutdown it says goodbye last.
func (s *server) handle(conn net.Conn) {
	unwatch := s.watch(conn)
	// The member exists before it has a name, so that the writer can mark it too slow.
	me := &member{out: newOutbox(), queue: s.queue, conn: conn}
	written := make(chan struct{})
	go func() {
		defer close(written)
		writeLines(me, s.writeTimeout)
	}()

	joined, why := s.session(me)

	// The order of what follows matters. The slot is freed first, so that a client who
	// hears that this one left can take it at once. Leaving comes before the outbox is
	// closed, so no line the registry queues is dropped (and once the registry is
	// closed, leaving tells nobody). The goodbye comes after every line queued so far;
	// the outbox is ours alone now, so the goodbye need not fit in -queue. The writer
	// stops once its outbox is closed, after writing what is left in it.
	s.slots.Release(1)
	if me.tooSlow.Load() {
		why = reasonTooSlow
	}
	if joined {
		s.reg.leave(me, why.told())
	}
	if s.reading.Err() != nil {
		me.out.add(goodbye)
	}
	me.out.close()
	<-written
	unwatch()
	conn.Close()

	attrs := []any{"addr", conn.RemoteAddr().String()}
	if joined {
		attrs = append(attrs, "name", me.name)
	}
	slog.Info("connection ended", append(attrs, "reason", why)...)
}

// session speaks the protocol with one client: it asks for a name, joins the lobby, and
// obeys every line the client sends, until the client goes or must go. It reports
// whether the client joined and why it went, but it does not leave: handle does.
func (s *server) session(me *member) (joined bool, why reason) {
	// Until the client joins, only this goroutine queues lines for it, at most three:
	// they go straight into the outbox, whatever -queue says.
	lr := newLineReader(s.reading, me.conn, s.maxLine)
	me.out.add("Welcome to budgetchat! What shall I call you?")
	name, err := lr.readLine(s.nameTimeout)
	switch {
	case errors.Is(err, errShutdown):
		return false, reasonShutdown
	case errors.Is(err, os.ErrDeadlineExceeded):
		me.out.add("* Sorry, you took too long to choose a name.")
		return false, reasonNameTimeout
	case errors.Is(err, errLineTooLong):
		me.out.add(s.tooLong())
		return false, reasonLineTooLong
	case err != nil:
		return false, reasonClosed // gone before joining: nobody hears of it
	case !validName.MatchString(name):
		me.out.add("* Sorry, names are 1 to 32 letters or digits.")
		return false, reasonBadName
	}
	// From here on the registry queues lines for this client too, so every line goes
	// through me.send, which never waits.
	me.name = name
	if err := s.reg.join(me); errors.Is(err, errNameTaken) {
		me.out.add("* Sorry, the name " + name + " is taken.")
		return false, reasonNameTaken
	} else if err != nil {
		return false, reasonShutdown
	}
	slog.Debug("joined", "addr", me.conn.RemoteAddr().String(), "name", name)

	var bucket *tokenBucket // nil when -rate is 0: no limit
	if s.rate > 0 {
		bucket = newTokenBucket(s.rate, s.burst, time.Now)
	}
	warned := false // whether the client was asked if it is still there
	for {
		wait := s.idleTimeout
		if warned {
			wait = s.idleGrace
		}
		line, err := lr.readLine(wait)
		switch {
		case errors.Is(err, errShutdown):
			return true, reasonShutdown
		case errors.Is(err, os.ErrDeadlineExceeded) && !warned:
			me.send(fmt.Sprintf("* Are you still there? Send anything within %v or be disconnected.", s.idleGrace))
			warned = true
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			me.send("* Disconnected: idle for too long.")
			return true, reasonIdle
		case errors.Is(err, errLineTooLong):
			me.send(s.tooLong())
			return true, reasonLineTooLong
		case err != nil:
			return true, reasonClosed
		}
		warned = false // any complete line, even an empty one, resets the idle clock
		if line == "" {
			continue // ignored, so it costs nothing
		}
		if bucket != nil && !bucket.allow() {
			me.send("* Slow down: at most " + strconv.FormatFloat(s.rate, 'g', -1, 64) +
				" lines per second. Your line was dropped.")
			continue
		}
		if s.obey(me, line) {
			return true, reasonQuit
		}
	}
}

// tooLong is the reply to a line longer than -max-line.
func (s *server) tooLong() string {
	return fmt.Sprintf("* Sorry, lines are at most %d bytes.", s.maxLine)
}

// writeLines is m's writer: it writes the lines queued in m's outbox until the outbox is
// closed and empty. It takes everything waiting at once and writes it with as few calls
// as it can, each of which may take at most timeout; a client that does not take a write
// in time is too slow, and m is disconnected. After a write fails it closes the
// connection, which ends the reader's session, and goes on emptying the outbox without
// writing, so that the lines queued until the member leaves do not count as the client
// being too slow.
func writeLines(m *member, timeout time.Duration) {
	var err error
	for {
		b, ok := m.out.take()
		if !ok {
			return
		}
		if err == nil {
			err = writeBatch(m.conn, b.lines, timeout)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				slog.Debug("write timed out", "addr", m.conn.RemoteAddr().String(), "timeout", timeout.String())
				m.disconnectTooSlow()
			} else if err != nil {
				m.conn.Close()
			}
		}
		putBatch(b)
	}
}

// writeChunk is the most that writeBatch hands the kernel in one call. Larger writes to
// a client whose receive window is small made Linux trickle the data out 8 KiB per
// 200 ms probe, even once the client read again (the 09/drain scenario): 4 KiB, as
// bufio's buffer was, keeps the data flowing.
const writeChunk = 4096

// chunks holds the writers' buffers: a writer needs one only while it writes, so a few
// serve thousands of clients.
var chunks = sync.Pool{New: func() any { return new(chunkWriter) }}

// writeBatch writes lines to conn, each followed by "\n", in pieces of at most
// writeChunk bytes, each of which may take at most timeout. A usual batch is one piece
// and one system call.
func writeBatch(conn net.Conn, lines []string, timeout time.Duration) error {
	w := chunks.Get().(*chunkWriter)
	w.conn, w.timeout, w.n = conn, timeout, 0
	defer func() {
		w.conn = nil // a pooled writer must not keep the connection alive
		chunks.Put(w)
	}()
	for _, line := range lines {
		if err := w.writeString(line); err != nil {
			return err
		}
		if err := w.writeString("\n"); err != nil {
			return err
		}
	}
	return w.flush()
}

// chunkWriter gathers what it is given into a buffer of writeChunk bytes, and writes the
// buffer to conn each time it is full, and when flushed: a bufio.Writer that sets the
// write deadline before each write.
type chunkWriter struct {
	conn    net.Conn
	timeout time.Duration
	buf     [writeChunk]byte
	n       int // bytes of buf in use
}

func (w *chunkWriter) writeString(s string) error {
	for len(s) > 0 {
		copied := copy(w.buf[w.n:], s)
		w.n += copied
		s = s[copied:]
		if w.n == writeChunk {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes what the buffer holds, if anything.
func (w *chunkWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	if err := w.conn.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
		return err
	}
	_, err := w.conn.Write(w.buf[:w.n])
	w.n = 0
	return err
}
