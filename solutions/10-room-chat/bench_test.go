package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// The benchmarks of the server's hot paths: reading a line, fanning a chat line out to
// every member's queue, joining a big room, and a writer coalescing queued lines. Run
// them with make bench; docs/performance.md says what the figures mean.

// BenchmarkReadLine reads chat lines as each client's reader goroutine does, deadline
// included.
func BenchmarkReadLine(b *testing.B) {
	const line = "17 123456789 a chat line of a usual length\r\n"
	conn := &benchConn{data: []byte(strings.Repeat(line, 100))}
	lr := newLineReader(context.Background(), conn, 4096)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for range b.N {
		if _, err := lr.readLine(time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFanOut relays one chat line to a room of N members; ns/delivery is the cost
// of putting it in one member's outbox.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			r, members, drain := benchRegistry(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i > 0 && i%benchDrain == 0 {
					b.StopTimer()
					drain()
					b.StartTimer()
				}
				r.say(members[0], "17 123456789 a chat line of a usual length")
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*(n-1)), "ns/delivery")
			benchNoneTooSlow(b, members)
		})
	}
}

// BenchmarkJoin adds one member to a room of N and takes it out again: the presence
// line to the newcomer, and the entered and left notices to everyone else.
func BenchmarkJoin(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			r, members, drain := benchRegistry(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i > 0 && i%(benchDrain/2) == 0 { // two notices each time
					b.StopTimer()
					drain()
					b.StartTimer()
				}
				me := &member{name: "newcomer", out: newOutbox(), queue: benchQueue, conn: &benchConn{}}
				if err := r.join(me); err != nil {
					b.Fatal(err)
				}
				r.leave(me, "")
			}
			b.StopTimer()
			benchNoneTooSlow(b, members)
		})
	}
}

// BenchmarkWriteLines is one client's writer: lines queued together leave in one write.
func BenchmarkWriteLines(b *testing.B) {
	const burst = 64
	conn := &benchConn{}
	m := &member{name: "u1", out: newOutbox(), queue: benchQueue, conn: conn}
	done := make(chan struct{})
	go func() {
		defer close(done)
		writeLines(m, time.Minute)
	}()
	b.ReportAllocs()
	for range b.N {
		for range burst {
			m.out.add("[u1] 17 123456789 a chat line of a usual length")
		}
	}
	m.out.close()
	<-done
	b.ReportMetric(float64(conn.writes)/float64(b.N*burst), "writes/line")
}

// benchQueue is the members' -queue in the benchmarks, longer than the server's default,
// and benchDrain how many lines a benchmark queues for each member before it empties the
// outboxes, with the clock stopped.
const (
	benchQueue = 4096
	benchDrain = 256
)

// benchRegistry is a registry with n members in the lobby. Nothing drains their queues
// while the clock runs, so that only the registry's work is measured (in the server,
// writers run on the other core); the benchmark calls drain, with the clock stopped,
// before the queues can fill.
func benchRegistry(b *testing.B, n int) (r *registry, members []*member, drain func()) {
	b.Helper()
	r = newRegistry()
	for i := range n {
		m := &member{name: fmt.Sprintf("u%d", i), out: newOutbox(), queue: benchQueue, conn: &benchConn{}}
		if err := r.join(m); err != nil {
			b.Fatal(err)
		}
		members = append(members, m)
	}
	drain = func() {
		for _, m := range members {
			m.out.mu.Lock()
			b := m.out.waiting
			m.out.waiting = nil
			m.out.mu.Unlock()
			if b != nil {
				putBatch(b)
			}
		}
	}
	drain()
	return r, members, drain
}

// benchNoneTooSlow fails the benchmark if a drainer fell behind: lines dropped for a
// member found too slow would make the figures look better than they are.
func benchNoneTooSlow(b *testing.B, members []*member) {
	b.Helper()
	for _, m := range members {
		if m.tooSlow.Load() {
			b.Fatalf("%s was found too slow: the figures are not valid", m.name)
		}
	}
}

// benchConn is a connection that reads data over and over, accepts every write and
// counts the writes.
type benchConn struct {
	net.Conn
	data   []byte
	off    int
	writes int
}

func (c *benchConn) Read(p []byte) (int, error) {
	n := copy(p, c.data[c.off:])
	c.off = (c.off + n) % len(c.data)
	return n, nil
}

func (c *benchConn) Write(p []byte) (int, error) {
	c.writes++
	return len(p), nil
}

func (c *benchConn) Close() error                     { return nil }
func (c *benchConn) SetReadDeadline(time.Time) error  { return nil }
func (c *benchConn) SetWriteDeadline(time.Time) error { return nil }
func (c *benchConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
