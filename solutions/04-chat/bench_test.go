package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// The benchmarks of the server's hot paths: reading a line, and fanning a chat line out
// to every member's queue. Run them with make bench; docs/performance.md says what the
// figures mean.

// BenchmarkReadLine reads chat lines from a buffered reader, as each client's reader
// goroutine does.
func BenchmarkReadLine(b *testing.B) {
	const line = "17 123456789 a chat line of a usual length\r\n"
	in := bufio.NewReaderSize(&benchRepeat{data: []byte(strings.Repeat(line, 100))}, maxLine+2)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for range b.N {
		if _, err := readLine(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFanOut relays one chat line to a room of N members; ns/delivery is the
// cost of putting it on one member's queue.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			r, drain := benchRoom(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i > 0 && i%benchQueue == 0 {
					b.StopTimer()
					drain()
					b.StartTimer()
				}
				r.say("u0", "17 123456789 a chat line of a usual length")
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*(n-1)), "ns/delivery")
		})
	}
}

// BenchmarkJoin adds one member to a room of N and takes it out again: the presence
// line and the entered and left notices to everyone.
func BenchmarkJoin(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			r, drain := benchRoom(b, n)
			out := make(chan string, queueSize)
			go func() {
				for range out {
				}
			}()
			defer close(out)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i > 0 && i%(benchQueue/2) == 0 { // two notices each time
					b.StopTimer()
					drain()
					b.StartTimer()
				}
				me := &member{name: "newcomer", out: out}
				if !r.join(me) {
					b.Fatal("name taken")
				}
				r.leave(me)
			}
		})
	}
}

// BenchmarkWriteLines is one client's writer: lines queued together leave in one write.
func BenchmarkWriteLines(b *testing.B) {
	const burst = 64
	conn := &benchConn{}
	out := make(chan string, queueSize)
	done := make(chan struct{})
	go func() {
		defer close(done)
		writeLines(conn, out)
	}()
	b.ReportAllocs()
	for range b.N {
		for range burst {
			out <- "[u1] 17 123456789 a chat line of a usual length"
		}
	}
	close(out)
	<-done
	b.ReportMetric(float64(conn.writes)/float64(b.N*burst), "writes/line")
}

// benchQueue is the members' queue in the benchmarks, longer than the server's.
const benchQueue = 4096

// benchRoom is a room of n members. Nothing drains their queues while the clock runs, so
// that only the room's work is measured (in the server, writers run on the other core);
// the benchmark calls drain, with the clock stopped, before the queues can fill.
func benchRoom(b *testing.B, n int) (r *room, drain func()) {
	b.Helper()
	r = newRoom()
	var outs []chan string
	for i := range n {
		out := make(chan string, benchQueue)
		outs = append(outs, out)
		if !r.join(&member{name: fmt.Sprintf("u%d", i), out: out}) {
			b.Fatalf("u%d: name taken", i)
		}
	}
	drain = func() {
		for _, out := range outs {
			for len(out) > 0 {
				<-out
			}
		}
	}
	drain()
	return r, drain
}

// benchRepeat reads data over and over.
type benchRepeat struct {
	data []byte
	off  int
}

func (r *benchRepeat) Read(p []byte) (int, error) {
	n := copy(p, r.data[r.off:])
	r.off = (r.off + n) % len(r.data)
	return n, nil
}

// benchConn is a connection that accepts every write and counts them.
type benchConn struct {
	net.Conn
	writes int
}

func (c *benchConn) Write(p []byte) (int, error) {
	c.writes++
	return len(p), nil
}

func (c *benchConn) Close() error                     { return nil }
func (c *benchConn) SetWriteDeadline(time.Time) error { return nil }

var _ io.Writer = (*benchConn)(nil)
