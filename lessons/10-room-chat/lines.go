package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"time"
)

var errLineTooLong = errors.New("line too long")

// readBuffer is the size a line reader's buffer starts with and goes back to: room for
// the lines of a usual chat, and little memory for a client that says nothing.
const readBuffer = 512

// lineReader reads a client's lines, each under a read deadline. A deadline may expire
// in the middle of a line: what came of it so far is kept, and the next readLine goes on
// from there, so a line completed after a timeout is not lost. Once ctx is done it reads
// no more.
//
// Its buffer starts small and grows only for a long line, up to what the longest line
// allowed needs, then shrinks back once that line is read: most clients never send a
// line of -max-line bytes, and should not pay for one while they are idle.
type lineReader struct {
	ctx        context.Context
	conn       net.Conn
	max        int    // the longest line, in bytes, not counting its ending
	buf        []byte // buf[start:end] is what was read and not yet returned
	start, end int
}

func newLineReader(ctx context.Context, conn net.Conn, max int) *lineReader {
	return &lineReader{ctx: ctx, conn: conn, max: max, buf: make([]byte, min(readBuffer, max+2))}
}

// readLine returns the next line without its "\n" or "\r\n", waiting at most wait for
// it to be complete; after that it returns an error that wraps os.ErrDeadlineExceeded.
// It never holds more than max+2 bytes, however long the line. Once ctx is done it
// returns context.Cause(ctx), even if a line was on its way.
func (lr *lineReader) readLine(wait time.Duration) (string, error) {
	if err := lr.conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return "", err
	}
	// Checked after the deadline is set: the shutdown sets a deadline in the past after
	// it cancels ctx, so either it overrides ours, or we see ctx done here.
	if lr.ctx.Err() != nil {
		return "", context.Cause(lr.ctx)
	}
	for {
		if i := bytes.IndexByte(lr.buf[lr.start:lr.end], '\n'); i >= 0 {
			line := lr.buf[lr.start : lr.start+i]
			lr.start += i + 1
			line = bytes.TrimSuffix(line, []byte("\r"))
			if len(line) > lr.max {
				// A line one byte too long that ends in a bare "\n" fits the buffer.
				return "", errLineTooLong
			}
			text := string(line)
			lr.shrink()
			return text, nil
		}
		// A line of max bytes and its "\r\n" take max+2: with that many bytes and no
		// "\n" among them, the line is too long, whatever comes next.
		if lr.end-lr.start >= lr.max+2 {
			return "", errLineTooLong
		}
		lr.makeRoom()
		n, err := lr.conn.Read(lr.buf[lr.end:])
		lr.end += n
		if n > 0 {
			continue // look for the line's end first: a failed read fails again
		}
		if lr.ctx.Err() != nil {
			return "", context.Cause(lr.ctx)
		}
		return "", err // a timeout, or io.EOF: a last line without "\n" is dropped
	}
}

// makeRoom makes room at the end of the buffer for the next read: it moves what is
// left of a line to the front, and if the buffer is full of it, grows the buffer, to
// at most max+2 bytes.
func (lr *lineReader) makeRoom() {
	if lr.end < len(lr.buf) {
		return
	}
	pending := lr.end - lr.start
	if pending == len(lr.buf) {
		bigger := make([]byte, min(2*len(lr.buf), lr.max+2))
		copy(bigger, lr.buf[lr.start:lr.end])
		lr.buf = bigger
	} else {
		copy(lr.buf, lr.buf[lr.start:lr.end])
	}
	lr.start, lr.end = 0, pending
}

// shrink rewinds the buffer when it is empty, and gives back the memory a long line
// grew it by.
func (lr *lineReader) shrink() {
	if lr.start < lr.end {
		return
	}
	lr.start, lr.end = 0, 0
	if len(lr.buf) > readBuffer {
		lr.buf = make([]byte, readBuffer)
	}
}
