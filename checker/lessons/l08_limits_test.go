package lessons

import (
	"testing"

	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson08(t *testing.T) {
	t.Parallel()
	selftest.Lesson(t, limits(), []selftest.Variant{
		{
			Name: "never frees the slot of a client that leaves", File: "server.go",
			Edits:   []selftest.Edit{{Old: "\ts.slots.Release(1)\n\tif joined {", New: "\tif joined {"}},
			FailsOn: "slot-frees",
		},
		{
			Name: "waits for a free slot instead of refusing the client", File: "server.go",
			Edits: []selftest.Edit{
				{Old: `"bufio"`, New: "\"bufio\"\n\t\"context\""},
				{
					Old: "if !s.slots.TryAcquire(1) {",
					New: "if err := s.slots.Acquire(context.Background(), 1); err != nil {",
				},
			},
			FailsOn: "server-full",
		},
		{
			Name: "disconnects a client that sends too fast", File: "server.go",
			Edits: []selftest.Edit{{
				Old: "\" lines per second. Your line was dropped.\")\n\t\t\tcontinue",
				New: "\" lines per second. Your line was dropped.\")\n\t\t\treturn true, \"\"",
			}},
			FailsOn: "rate-flood",
		},
		{
			Name: "has one token bucket for the whole server", File: "server.go",
			Edits: []selftest.Edit{
				{Old: `"strconv"`, New: "\"strconv\"\n\t\"sync\""},
				{
					Old: "\tvar bucket *tokenBucket // nil when -rate is 0: no limit\n\tif s.rate > 0 {\n\t\tbucket = newTokenBucket(s.rate, s.burst, time.Now)\n\t}\n",
					New: "",
				},
				{Old: "if bucket != nil && !bucket.allow() {", New: "if s.rate > 0 && !allowShared(s.rate, s.burst) {"},
				{
					Old: "// tooLong is the reply to a line longer than -max-line.",
					New: `var (
	sharedMu     sync.Mutex
	sharedBucket *tokenBucket
)

// allowShared spends a token of the one bucket every client shares.
func allowShared(rate float64, burst int) bool {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedBucket == nil {
		sharedBucket = newTokenBucket(rate, burst, time.Now)
	}
	return sharedBucket.allow()
}

// tooLong is the reply to a line longer than -max-line.`,
				},
			},
			FailsOn: "rate-per-client",
		},
		{
			Name: "ignores -max-line and keeps the old limit of 4096 bytes", File: "lines.go",
			Edits: []selftest.Edit{{
				Old: "bufio.NewReaderSize(conn, max+2), max: max}",
				New: "bufio.NewReaderSize(conn, 4096+2), max: 4096}",
			}},
			FailsOn: "long-line",
		},
	})
}
