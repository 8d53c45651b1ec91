package target

import (
	"strconv"
	"sync"
)

// maxOutput bounds how much of the server's output is kept: the start, where a listen
// error shows, and the end, where a panic shows, are what a learner needs.
const maxOutput = 64 << 10

// output collects what the server writes to stdout and stderr, keeping at most
// maxOutput bytes of its head and of its tail.
type output struct {
	mu      sync.Mutex // guards the fields below
	head    []byte
	tail    []byte
	dropped int
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := len(p)
	if room := maxOutput/2 - len(o.head); room > 0 {
		take := min(room, len(p))
		o.head = append(o.head, p[:take]...)
		p = p[take:]
	}
	o.tail = append(o.tail, p...)
	if extra := len(o.tail) - maxOutput/2; extra > 0 {
		o.dropped += extra
		o.tail = append(o.tail[:0], o.tail[extra:]...)
	}
	return n, nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dropped == 0 {
		return string(o.head) + string(o.tail)
	}
	return string(o.head) + "\n[... " + strconv.Itoa(o.dropped) + " bytes left out ...]\n" + string(o.tail)
}
