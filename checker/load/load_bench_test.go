package load

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// The load tool's cost per delivery must stay well below a fast server's, or the tool
// and not the server would set the figures. These benchmarks cover what the tool does
// for every line it receives.

func BenchmarkParseChat(b *testing.B) {
	line := []byte("[u123] 4567 123456789012 xxxxxxxxxxxxxxx")
	b.SetBytes(int64(len(line)))
	for range b.N {
		if _, _, _, ok := parseChat(line); !ok {
			b.Fatal("not parsed")
		}
	}
}

// BenchmarkReceiveLine is the whole per-delivery path of a receiver: parse the line,
// mark it in the tally, record its latency, count it for its sender's window.
func BenchmarkReceiveLine(b *testing.B) {
	const senders, messages = 10, 1000
	r := &run{
		cfg:     Config{Mode: Chat, Senders: senders, Messages: messages},
		latency: NewRecorder(8),
		counts:  make([]atomic.Int32, senders*messages),
		notify:  make([]chan struct{}, senders),
	}
	for i := range r.notify {
		r.notify[i] = make(chan struct{}, 1)
	}
	r.receivers.Store(1 << 30)
	c := &client{id: 500, slot: -1, run: r, state: stJoined, tally: newTally(senders, messages)}
	lines := make([][]byte, 0, senders*messages)
	for seq := range messages {
		for s := range senders {
			line := fmt.Appendf(nil, "[u%d] ", s)
			line = appendMessage(line, seq, int64(time.Millisecond), 32)
			lines = append(lines, line[:len(line)-1])
		}
	}
	b.ResetTimer()
	for i := range b.N {
		j := i % len(lines)
		if j == 0 && i > 0 {
			b.StopTimer()
			c.tally = newTally(senders, messages)
			b.StartTimer()
		}
		if !c.line(lines[j], int64(2*time.Millisecond)) {
			b.Fatal("not a delivery")
		}
	}
}

func BenchmarkRecorder(b *testing.B) {
	r := NewRecorder(8)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			r.Record(i, time.Duration(i%5000)*time.Microsecond)
		}
	})
}

func BenchmarkAppendMessage(b *testing.B) {
	buf := make([]byte, 0, 64)
	for i := range b.N {
		buf = appendMessage(buf[:0], i, 123456789012, 32)
	}
}
