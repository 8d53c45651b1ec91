package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"time"
)

// maxLine is the longest line the server accepts, in bytes, not counting its line ending.
const maxLine = 4096

var errLineTooLong = fmt.Errorf("line longer than %d bytes", maxLine)

// serve accepts connections until the listener is closed, and gives each one its own
// goroutine, so that a client that sends nothing never keeps another one waiting.
func serve(ln net.Listener, reg *registry) error {
	var delay time.Duration // how long to back off after a failed Accept
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			// Accept fails for passing reasons too, such as running out of file
			// descriptors. Back off (5ms doubling to 1s, as net/http does) instead of
			// spinning or giving up.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			log.Printf("who: accept: %v; retrying in %v", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		// Count the client before its goroutine starts, so that COUNT includes every
		// connection accepted so far; handle uncounts it when the session ends.
		reg.connect()
		go handle(conn, reg)
	}
}

// handle runs one client's session: it reads command lines and answers each with one
// reply line, in order, until the client leaves, sends QUIT, or sends a line longer than
// maxLine. Then it takes the client out of the registry and closes the connection.
//
// NOTE: there is no deadline yet, so a client that never sends, or never reads its
// replies, keeps its goroutine and its connection forever. Lesson 07 adds timeouts.
func handle(conn net.Conn, reg *registry) {
	defer conn.Close()
	s := &session{reg: reg}
	defer s.leave() // however the session ends: EOF, a reset, a failed write
	// The reader's buffer is the line limit: it holds the longest line and its "\r\n",
	// and ReadSlice never holds more.
	in := bufio.NewReaderSize(conn, maxLine+2)
	out := bufio.NewWriter(conn)
	for {
		var reply string
		open := true // whether the session goes on after this reply
		line, err := readLine(in)
		switch {
		case errors.Is(err, errLineTooLong):
			// The rest of the line is still on its way, and it could be endless: answer
			// and hang up rather than read on.
			reply, open = fmt.Sprintf("ERR line too long (max %d bytes)", maxLine), false
		case errors.Is(err, io.EOF):
			return
		case err != nil:
			log.Printf("who: %s: %v", conn.RemoteAddr(), err)
			return
		default:
			reply, open = s.execute(line)
		}
		if !open {
			// Leave before the last reply, so that a client who has read BYE knows that
			// nobody sees it in WHO or COUNT any more.
			s.leave()
		}

		// A failed write sticks to out: the next Flush reports it.
		out.WriteString(reply)
		out.WriteByte('\n')
		// Send the replies once we would otherwise wait for the client. When a whole
		// line is already buffered (the client pipelined several), its reply joins this
		// one and both leave in one write. When only part of a line is buffered, we must
		// flush now: the client may be waiting for this reply before it sends the rest.
		if !open || !lineBuffered(in) {
			if err := out.Flush(); err != nil {
				log.Printf("who: %s: %v", conn.RemoteAddr(), err)
				return
			}
		}
		if !open {
			return
		}
	}
}

// readLine returns the next line without its "\n" or "\r\n". It returns errLineTooLong
// for a line longer than maxLine bytes, after reading at most maxLine+2 of them: the
// reader's buffer must hold maxLine+2 bytes, and ReadSlice reports bufio.ErrBufferFull
// when the buffer fills before a "\n" comes. A last line without "\n" is dropped: the
// error is io.EOF.
func readLine(in *bufio.Reader) (string, error) {
	line, err := in.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", errLineTooLong
	}
	if err != nil {
		return "", err
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	if len(line) > maxLine {
		// A line of maxLine+1 bytes ending in a bare "\n" still fits the buffer.
		return "", errLineTooLong
	}
	// The slice points into the reader's buffer, which the next read overwrites: copy it.
	return string(line), nil
}

// lineBuffered reports whether a whole line is already in in's buffer, so that reading
// it cannot block.
func lineBuffered(in *bufio.Reader) bool {
	buf, _ := in.Peek(in.Buffered()) // never blocks: it asks for what is buffered
	return bytes.IndexByte(buf, '\n') >= 0
}
