package lessons

import (
	"testing"

	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson05(t *testing.T) {
	t.Parallel()
	selftest.Lesson(t, backpressure(), []selftest.Variant{
		{
			Name: "blocks on a full queue, as lesson 04 did", File: "room.go",
			Edits: []selftest.Edit{{
				Old: "select {\n\tcase m.out <- line:\n\tdefault:\n\t\tif m.tooSlow.CompareAndSwap(false, true) {\n\t\t\tm.conn.Close()\n\t\t}\n\t}",
				New: "m.out <- line",
			}},
			FailsOn: "stalled-reader",
		},
		{
			Name: "writes to the recipient's socket from the sender's goroutine", File: "room.go",
			Edits: []selftest.Edit{{
				Old: "select {\n\tcase m.out <- line:",
				New: "if _, err := m.conn.Write([]byte(line + \"\\n\")); err == nil {\n\t\treturn\n\t}\n\tselect {\n\tcase m.out <- line:",
			}},
			FailsOn: "stalled-reader",
		},
		{
			Name: "makes the queue unbuffered, so that healthy members are dropped too", File: "server.go",
			Edits:   []selftest.Edit{{Old: "out := make(chan string, s.queue)", New: "out := make(chan string)"}},
			FailsOn: "stalled-reader",
		},
		{
			Name: "queues without a bound, a goroutine per line", File: "room.go",
			Edits: []selftest.Edit{{
				Old: "select {\n\tcase m.out <- line:\n\tdefault:\n\t\tif m.tooSlow.CompareAndSwap(false, true) {\n\t\t\tm.conn.Close()\n\t\t}\n\t}",
				New: "go func() { m.out <- line }()",
			}},
			FailsOn: "too-slow-dropped",
		},
		{
			Name: "drops the lines of a slow member but never disconnects it", File: "room.go",
			Edits:   []selftest.Edit{{Old: "\t\t\tm.conn.Close()\n", New: "\t\t\t// The member is only marked.\n"}},
			FailsOn: "too-slow-dropped",
		},
	})
}
