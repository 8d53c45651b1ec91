package load

import (
	"bytes"
	"strconv"
)

// A load message is one line of text: the sender's sequence number, the time it was
// sent (nanoseconds since the run's start, on the load tool's monotonic clock), and
// padding up to the configured size:
//
//	17 123456789 xxxxxxxxxxxx
//
// A chat server relays it as "[u3] 17 123456789 xxxx", an echo server sends it back as
// it is. The receiver reads the send time from the line itself, so no table of send
// times is shared between goroutines.

// clientName is the name client id joins with: "u" and its number.
func clientName(id int) string { return "u" + strconv.Itoa(id) }

// appendMessage appends message seq, sent at ts, padded to size bytes of text, and its
// "\n" to buf.
func appendMessage(buf []byte, seq int, ts int64, size int) []byte {
	start := len(buf)
	buf = strconv.AppendInt(buf, int64(seq), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, ts, 10)
	if pad := size - (len(buf) - start); pad > 1 {
		buf = append(buf, ' ')
		for range pad - 1 {
			buf = append(buf, 'x')
		}
	}
	return append(buf, '\n')
}

// parseMessage reads the sequence number and send time at the start of a message's text.
func parseMessage(b []byte) (seq int, ts int64, ok bool) {
	s, rest, ok := parseUint(b)
	if !ok || len(rest) == 0 || rest[0] != ' ' {
		return 0, 0, false
	}
	t, rest, ok := parseUint(rest[1:])
	if !ok || len(rest) > 0 && rest[0] != ' ' {
		return 0, 0, false
	}
	return int(s), t, true
}

// parseChat reads a relayed chat line, "[uID] TEXT", and returns the sender's client
// number and the message's sequence number and send time.
func parseChat(b []byte) (id, seq int, ts int64, ok bool) {
	if len(b) < 4 || b[0] != '[' || b[1] != 'u' {
		return 0, 0, 0, false
	}
	n, rest, ok := parseUint(b[2:])
	if !ok || len(rest) < 2 || rest[0] != ']' || rest[1] != ' ' {
		return 0, 0, 0, false
	}
	seq, ts, ok = parseMessage(rest[2:])
	return int(n), seq, ts, ok
}

// parseUint reads the decimal number at the start of b (at most 18 digits, so it cannot
// overflow) and returns what follows it.
func parseUint(b []byte) (n int64, rest []byte, ok bool) {
	i := 0
	for ; i < len(b) && i < 18; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	return n, b[i:], i > 0
}

// countNames counts the names in a presence line, "* The room contains: A, B": the
// comma-separated words after the first colon. Other wordings are accepted as long as
// the names come after a colon, as Budget Chat allows.
func countNames(line []byte) int {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return 0
	}
	names := bytes.TrimSpace(line[i+1:])
	if len(names) == 0 {
		return 0
	}
	return bytes.Count(names, []byte(",")) + 1
}
