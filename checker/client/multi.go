package client

import (
	"fmt"
	"strings"
	"time"
)

// ExpectLinesAnyOrder waits for len(ms) lines that together match ms, each line one
// matcher, in any order: for events whose order the protocol leaves open, such as
// notices caused by two clients at once. It fails on the first line that matches none
// of the matchers still waiting.
func (c *Conn) ExpectLinesAnyOrder(ms []Matcher) ([]string, error) {
	waiting := append([]Matcher(nil), ms...)
	var got []string
	start := time.Now()
	for len(waiting) > 0 {
		line, err := c.readLine(Describe(waiting))
		if err != nil {
			if e, ok := err.(*Error); ok && len(got) > 0 {
				e.Got = fmt.Sprintf("%s, after %d of them: %s", e.Got, len(got), quoteAll(got))
				e.Waited = time.Since(start).Round(time.Millisecond)
			}
			return got, err
		}
		matched := -1
		for i, m := range waiting {
			if m.Match(line) {
				matched = i
				break
			}
		}
		if matched < 0 {
			return got, &Error{Client: c.name, Want: Describe(waiting), Got: "the line " + Quote(line+"\n", 200)}
		}
		got = append(got, line)
		waiting = append(waiting[:matched], waiting[matched+1:]...)
	}
	return got, nil
}

// SetReadBuffer shrinks (or grows) the kernel's receive buffer for this client. A
// scenario that plays a client who stops reading makes it small, so the server's side
// fills up after kilobytes rather than megabytes.
func (c *Conn) SetReadBuffer(bytes int) error { return c.conn.SetReadBuffer(bytes) }

func quoteAll(lines []string) string {
	q := make([]string, len(lines))
	for i, l := range lines {
		q[i] = Quote(l, 80)
	}
	return strings.Join(q, ", ")
}
