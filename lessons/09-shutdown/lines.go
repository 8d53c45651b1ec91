package main

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"time"
)

var errLineTooLong = errors.New("line too long")

// lineReader reads a client's lines, each under a read deadline. A deadline may expire
// in the middle of a line: what came of it so far is kept, and the next readLine goes on
// from there, so a line completed after a timeout is not lost. Once ctx is done it reads
// no more.
type lineReader struct {
	ctx     context.Context
	conn    net.Conn
	in      *bufio.Reader
	max     int    // the longest line, in bytes, not counting its ending
	partial []byte // the start of a line that a deadline interrupted
}

func newLineReader(ctx context.Context, conn net.Conn, max int) *lineReader {
	// The buffer has room for the longest line and its "\r\n", so a line usually comes
	// out of it whole, without being copied into partial.
	return &lineReader{ctx: ctx, conn: conn, in: bufio.NewReaderSize(conn, max+2), max: max}
}

// readLine returns the next line without its "\n" or "\r\n", waiting at most wait for
// it to be complete; after that it returns an error that wraps os.ErrDeadlineExceeded.
// It never holds more than about twice max bytes, however long the line. Once ctx is
// done it returns context.Cause(ctx), even if a line was on its way.
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
		chunk, err := lr.in.ReadSlice('\n')
		if len(lr.partial)+len(chunk) > lr.max+2 {
			lr.partial = nil
			return "", errLineTooLong
		}
		if err == nil {
			line := chunk
			if len(lr.partial) > 0 {
				line = append(lr.partial, chunk...)
				lr.partial = lr.partial[:0]
			}
			text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
			if len(text) > lr.max {
				// A line one byte too long that ends in a bare "\n" fits the buffer.
				return "", errLineTooLong
			}
			return text, nil
		}
		// ReadSlice has consumed chunk, a line without its end: keep it for later.
		lr.partial = append(lr.partial, chunk...)
		if lr.ctx.Err() != nil {
			return "", context.Cause(lr.ctx)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", err // a timeout, or io.EOF: a last line without "\n" is dropped
		}
	}
}
