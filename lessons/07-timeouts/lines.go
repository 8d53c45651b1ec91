package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

var errLineTooLong = fmt.Errorf("line longer than %d bytes", maxLine)

// lineReader reads a client's lines, each under a read deadline.
//
// TODO(step 3): a deadline may expire in the middle of a line, and ReadSlice has then
// consumed the bytes of it that came. Keep them (in a partial []byte field), and put them
// in front of the rest of the line on a later call, so that a line completed after a
// timeout is not lost. Keep the bound: a line and its pieces together may not pass
// maxLine.
type lineReader struct {
	conn net.Conn
	in   *bufio.Reader
}

func newLineReader(conn net.Conn) *lineReader {
	return &lineReader{conn: conn, in: bufio.NewReaderSize(conn, maxLine+2)}
}

// readLine returns the next line without its "\n" or "\r\n", waiting at most wait for
// it to be complete; after that it returns an error that wraps os.ErrDeadlineExceeded.
//
// TODO(step 1): so far it waits forever. Set a read deadline wait from now
// (conn.SetReadDeadline) before reading: a deadline is a point in time, so each call
// sets a new one.
func (lr *lineReader) readLine(wait time.Duration) (string, error) {
	line, err := lr.in.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", errLineTooLong
	}
	if err != nil {
		return "", err // io.EOF included: a last line without "\n" is dropped
	}
	text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	if len(text) > maxLine {
		// A line one byte too long that ends in a bare "\n" fits the buffer.
		return "", errLineTooLong
	}
	return text, nil
}
