package main

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"net"
	"regexp"
	"strings"
	"time"
)

// The protocol's limits.
const (
	maxLine   = 4096 // bytes in one line, not counting the line ending
	queueSize = 256  // lines waiting for one client's writer
)

// validName is the rule for names: 1 to 32 letters or digits.
var validName = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

var errLineTooLong = fmt.Errorf("line longer than %d bytes", maxLine)

// serve accepts connections until the listener is closed, each in its own goroutine.
func serve(ln net.Listener, r *room) error {
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
		go handle(conn, r)
	}
}

// handle runs one client's session: it asks for a name, joins the room, and relays
// every line the client sends until the client leaves. It is the client's reader; its
// writer is a second goroutine that owns all writes to the connection.
func handle(conn net.Conn, r *room) {
	defer conn.Close()
	out := make(chan string, queueSize)
	written := make(chan struct{})
	go func() {
		defer close(written)
		writeLines(conn, out)
	}()
	// The writer stops when its queue is closed, after writing what is left in it.
	defer func() {
		close(out)
		<-written
	}()

	in := bufio.NewReaderSize(conn, maxLine+2) // room for the line and its "\r\n"
	// TODO(step 1): greet the client and take its name. Queue the welcome line
	// "Welcome to budgetchat! What shall I call you?" on out; never write to conn here,
	// the writer goroutine does that. Then read the first line with readLine: it is the
	// name. If reading fails, the client left before joining: return, and nobody hears
	// of it (if the error is errLineTooLong, first queue
	// "* Sorry, lines are at most 4096 bytes.", written with maxLine). If validName does
	// not match the name, queue "* Sorry, names are 1 to 32 letters or digits." and
	// return: the deferred calls above send what is queued, then close the connection.
	var name string

	me := &member{name: name, out: out}
	if !r.join(me) {
		out <- "* Sorry, the name " + name + " is taken."
		return
	}
	// TODO(step 4): from here on the client is in the room, so it must leave however
	// the session ends: a close, a reset, a line too long. Defer r.leave(me) here.
	// Deferred calls run last first, so it runs before the writer's queue is closed, and
	// nobody can queue a line for this client after that.

	for {
		line, err := readLine(in)
		if errors.Is(err, errLineTooLong) {
			out <- fmt.Sprintf("* Sorry, lines are at most %d bytes.", maxLine)
			return
		}
		if err != nil {
			return
		}
		// TODO(step 3): relay every line that is not empty to the others: r.say(name, line).
		_ = line
	}
}

// readLine returns the next line without its "\n" or "\r\n". The reader's buffer bounds
// the line, so a client cannot make us hold more than maxLine bytes.
func readLine(in *bufio.Reader) (string, error) {
	line, err := in.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", errLineTooLong
	}
	if err != nil {
		return "", err // io.EOF included: a last line without "\n" is dropped
	}
	text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	if len(text) > maxLine {
		// The buffer has room for a "\r\n" ending, so a line one byte too long that
		// ends in a bare "\n" still fits in it.
		return "", errLineTooLong
	}
	return text, nil
}

// writeLines writes every line queued on out, each followed by "\n", until out is
// closed. Lines queued together go out in one write. After a write fails it closes the
// connection, which ends the reader's session, and keeps draining out so that nobody
// sending to this client ever blocks on it.
func writeLines(conn net.Conn, out <-chan string) {
	w := bufio.NewWriter(conn)
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
		if err != nil {
			conn.Close()
		}
	}
	if err == nil {
		w.Flush()
	}
}
