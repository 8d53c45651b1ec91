package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// MaxLine bounds how much the checker buffers while it waits for a newline, so that a
// server that streams bytes without one is reported instead of eating the checker's memory.
const MaxLine = 1 << 20

// Conn is one simulated client. Its methods are meant for one goroutine at a time; a
// scenario that needs many clients at once gives each its own goroutine.
type Conn struct {
	name string
	conn *net.TCPConn
	log  *Log
	step time.Duration // how long any one wait may take

	pending []byte // bytes received but not yet consumed by a read
	eof     error  // the error that ended reading, once it has
}

// Dial connects a new client called name to addr. Every later wait of this client is
// bounded by step.
func Dial(ctx context.Context, addr, name string, log *Log, step time.Duration) (*Conn, error) {
	d := net.Dialer{Timeout: step}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		log.Add(name, Note, "could not connect: "+err.Error())
		return nil, &Error{Client: name, Want: "to connect to " + addr, Got: err.Error(),
			Hint: "is the server listening? A server that has stopped accepting, or crashed, refuses new clients"}
	}
	log.Add(name, Note, "connected")
	tc := c.(*net.TCPConn)
	// Every Send is its own TCP segment, so a split write stays split on the wire.
	_ = tc.SetNoDelay(true)
	return &Conn{name: name, conn: tc, log: log, step: step}, nil
}

// Name is the client's name in transcripts and messages.
func (c *Conn) Name() string { return c.name }

// Step is how long one wait of this client may take.
func (c *Conn) Step() time.Duration { return c.step }

// SetStep changes how long each later wait may take.
func (c *Conn) SetStep(d time.Duration) { c.step = d }

// LocalAddr is the client's side of the connection.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// Send writes data in one write.
func (c *Conn) Send(data string) error {
	c.log.Add(c.name, Sent, data)
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.step))
	if _, err := c.conn.Write([]byte(data)); err != nil {
		return &Error{Client: c.name, Want: "to send " + Quote(data, 60), Got: "a write error: " + describe(err),
			Waited: c.waitedIfTimeout(err), Hint: "the server stopped reading from this client, or closed the connection"}
	}
	return nil
}

// SendLine sends s followed by "\n".
func (c *Conn) SendLine(s string) error { return c.Send(s + "\n") }

// Trickle sends data in pieces of at most chunk bytes, pausing gap between them, so the
// server's reads see partial data. The pause only shapes the traffic; nothing waits on it.
func (c *Conn) Trickle(data string, chunk int, gap time.Duration) error {
	for len(data) > 0 {
		n := min(chunk, len(data))
		if err := c.Send(data[:n]); err != nil {
			return err
		}
		data = data[n:]
		if len(data) > 0 && gap > 0 {
			time.Sleep(gap)
		}
	}
	return nil
}

// CloseWrite half-closes the connection: the server reads EOF, and can still write.
func (c *Conn) CloseWrite() error {
	c.log.Add(c.name, Note, "half-closed (no more data from this client)")
	if err := c.conn.CloseWrite(); err != nil {
		return &Error{Client: c.name, Want: "to half-close its side of the connection", Got: "an error: " + describe(err),
			Hint: "the server had already closed or reset the connection before the client was done sending"}
	}
	return nil
}

// Close closes the connection politely (FIN). Closing twice is harmless.
func (c *Conn) Close() error {
	err := c.conn.Close()
	if err == nil {
		c.log.Add(c.name, Note, "closed the connection")
	}
	return err
}

// Release closes the connection without a transcript entry: the checker's own cleanup.
func (c *Conn) Release() { _ = c.conn.Close() }

// Abort closes the connection abruptly with a reset, as a crashed or unplugged client would.
func (c *Conn) Abort() error {
	_ = c.conn.SetLinger(0)
	err := c.conn.Close()
	if err == nil {
		c.log.Add(c.name, Note, "reset the connection (abrupt disconnect)")
	}
	return err
}

// fill reads once more from the socket into pending, waiting until deadline.
func (c *Conn) fill(deadline time.Time) error {
	if c.eof != nil {
		return c.eof
	}
	_ = c.conn.SetReadDeadline(deadline)
	buf := make([]byte, 32<<10)
	n, err := c.conn.Read(buf)
	if n > 0 {
		c.log.Add(c.name, Received, string(buf[:n]))
		c.pending = append(c.pending, buf[:n]...)
	}
	if err != nil && !isTimeout(err) {
		c.eof = err
		if errors.Is(err, io.EOF) {
			c.log.Add(c.name, Note, "the server closed the connection")
		} else {
			c.log.Add(c.name, Note, "connection error: "+describe(err))
		}
	}
	return err
}

// ReadLine waits for the next complete line and returns it without its "\n".
func (c *Conn) ReadLine() (string, error) {
	return c.readLine("a line")
}

func (c *Conn) readLine(want string) (string, error) {
	start := time.Now()
	deadline := start.Add(c.step)
	for {
		if i := bytes.IndexByte(c.pending, '\n'); i >= 0 {
			line := string(c.pending[:i])
			c.pending = c.pending[i+1:]
			return line, nil
		}
		if len(c.pending) > MaxLine {
			return "", &Error{Client: c.name, Want: want,
				Got:  fmt.Sprintf("%d bytes without a newline", len(c.pending)),
				Hint: "every line the server sends must end with \\n"}
		}
		if err := c.fill(deadline); err != nil {
			return "", c.waitError(want, err, start)
		}
	}
}

// ExpectLine waits for the next line and checks it against m.
func (c *Conn) ExpectLine(m Matcher) (string, error) {
	line, err := c.readLine(m.Desc)
	if err != nil {
		return "", err
	}
	if !m.Match(line) {
		e := &Error{Client: c.name, Want: m.Desc, Got: "the line " + Quote(line+"\n", 200)}
		if m.exact != nil {
			e.Detail = caret(*m.exact+"\n", line+"\n")
		}
		return line, e
	}
	return line, nil
}

// ReadFull waits until n bytes have arrived and returns them.
func (c *Conn) ReadFull(n int) ([]byte, error) {
	start := time.Now()
	deadline := start.Add(c.step)
	for len(c.pending) < n {
		if err := c.fill(deadline); err != nil {
			return nil, c.waitError(fmt.Sprintf("%d bytes", n), err, start)
		}
	}
	out := c.pending[:n:n]
	c.pending = c.pending[n:]
	return out, nil
}

// ExpectBytes waits for exactly want to arrive next.
func (c *Conn) ExpectBytes(want []byte, what string) error {
	got, err := c.ReadFull(len(want))
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Want = what
		}
		return err
	}
	if !bytes.Equal(got, want) {
		return &Error{Client: c.name, Want: what, Got: "different bytes", Detail: caret(string(want), string(got))}
	}
	return nil
}

// ExpectClosed waits for the server to close the connection, and fails if anything
// else arrives first. A reset counts as closed.
func (c *Conn) ExpectClosed() error {
	start := time.Now()
	deadline := start.Add(c.step)
	for len(c.pending) == 0 {
		err := c.fill(deadline)
		if err == nil {
			continue
		}
		if isTimeout(err) {
			return &Error{Client: c.name, Want: "the server to close the connection", Got: "nothing: the connection stayed open",
				Waited: time.Since(start).Round(time.Millisecond),
				Hint:   "the server kept the connection open where it should have closed it (in Go, conn.Close(), often as defer conn.Close() in the handler)"}
		}
		return nil
	}
	return &Error{Client: c.name, Want: "the server to close the connection", Got: "more data: " + Quote(string(c.pending), 200)}
}

// Closed reports whether the server has closed this connection, as far as the client has read.
func (c *Conn) Closed() bool { return c.eof != nil }

// Pending returns what has arrived but has not been read yet.
func (c *Conn) Pending() string { return string(c.pending) }

func (c *Conn) waitError(want string, err error, start time.Time) error {
	e := &Error{Client: c.name, Want: want, Waited: time.Since(start).Round(time.Millisecond)}
	var then string
	switch {
	case isTimeout(err):
		then = "nothing more"
	case errors.Is(err, io.EOF):
		then = "a closed connection (the server closed it)"
	default:
		then = "a connection error: " + describe(err)
	}
	e.Got = then
	if isTimeout(err) {
		e.Got = "nothing"
	}
	if len(c.pending) > 0 {
		e.Got = fmt.Sprintf("only %d bytes, %s, then %s", len(c.pending), Quote(string(c.pending), 100), then)
	}
	return e
}

func (c *Conn) waitedIfTimeout(err error) time.Duration {
	if isTimeout(err) {
		return c.step
	}
	return 0
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

func describe(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.Is(err, syscall.ENOTCONN):
		return "the connection was no longer open (the server had closed it)"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe (the server had closed the connection)"
	case errors.Is(err, net.ErrClosed):
		return "the checker closed this connection (the scenario's time ran out)"
	case isTimeout(err):
		return "timed out"
	}
	return err.Error()
}
