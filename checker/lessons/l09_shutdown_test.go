package lessons

import (
	"runtime"
	"testing"

	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson09(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("lesson 09's scenarios send signals, which Windows does not have")
	}
	t.Parallel()
	selftest.Lesson(t, shutdown(), []selftest.Variant{
		{
			Name: "exits with status 1 after a clean shutdown", File: "main.go",
			Edits:   []selftest.Edit{{Old: "log.Printf(\"chat: shut down\")\n\t\treturn 0", New: "log.Printf(\"chat: shut down\")\n\t\treturn 1"}},
			FailsOn: "goodbye",
		},
		{
			Name: "forgets to close the listener", File: "shutdown.go",
			Edits: []selftest.Edit{{
				Old: "if err := s.ln.Close(); err != nil {",
				New: "if err := error(nil); err != nil {",
			}},
			FailsOn: "stops-accepting",
		},
		{
			Name: "closes every connection as soon as the shutdown starts", File: "shutdown.go",
			Edits:   []selftest.Edit{{Old: "\ts.stopReading(errShutdown)\n", New: "\ts.stopReading(errShutdown)\n\ts.closeAll()\n"}},
			FailsOn: "drain",
		},
		{
			Name: "writes the goodbye straight to the socket, ahead of the queue", File: "server.go",
			Edits: []selftest.Edit{{
				Old: "\t\tout <- goodbye\n",
				New: "\t\t_, _ = io.WriteString(conn, goodbye+\"\\n\")\n",
			}},
			FailsOn: "drain",
		},
		{
			Name: "keeps relaying between clients until their sessions end", File: "shutdown.go",
			Edits:   []selftest.Edit{{Old: "\ts.reg.close()\n", New: ""}},
			FailsOn: "during-traffic",
		},
		{
			Name: "waits for ever for a client that does not read", File: "main.go",
			Edits:   []selftest.Edit{{Old: "timer := time.NewTimer(*shutdownTimeout)", New: "timer := time.NewTimer(time.Hour)"}},
			FailsOn: "deadline",
		},
		{
			Name: "ignores a second signal", File: "main.go",
			Edits: []selftest.Edit{{
				Old: "\tcase <-again:\n\t\tlog.Printf(\"chat: second signal: exiting at once\")\n\t\treturn 1\n",
				New: "",
			}},
			FailsOn: "second-signal",
		},
	})
}
