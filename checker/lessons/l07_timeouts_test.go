package lessons

import (
	"testing"

	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson07(t *testing.T) {
	t.Parallel()
	selftest.Lesson(t, timeouts(), []selftest.Variant{
		{
			Name: "never warns a silent member", File: "server.go",
			Edits: []selftest.Edit{{
				Old: `me.send(fmt.Sprintf("* Are you still there? Send anything within %v or be disconnected.", s.idleGrace))`,
				New: "// The member is not warned.",
			}},
			FailsOn: "idle-warning",
		},
		{
			Name: "does not say why a silent member left", File: "server.go",
			Edits:   []selftest.Edit{{Old: `why = "idle"`, New: "// The room is told nothing more."}},
			FailsOn: "idle-disconnect",
		},
		{
			Name: "sets a read deadline only when the timeout changes, not before every read", File: "lines.go",
			Edits: []selftest.Edit{
				{
					Old: "\tpartial []byte // the start of a line that a deadline interrupted\n",
					New: "\tpartial []byte // the start of a line that a deadline interrupted\n\tlast    time.Duration\n",
				},
				{
					Old: "\tif err := lr.conn.SetReadDeadline(time.Now().Add(wait)); err != nil {\n\t\treturn \"\", err\n\t}\n",
					New: "\tif wait != lr.last {\n\t\tlr.last = wait\n\t\tif err := lr.conn.SetReadDeadline(time.Now().Add(wait)); err != nil {\n\t\t\treturn \"\", err\n\t\t}\n\t}\n",
				},
			},
			FailsOn: "busy-stays",
		},
		{
			Name: "loses the start of a line when a read times out", File: "lines.go",
			Edits: []selftest.Edit{{
				Old: "\t\tlr.partial = append(lr.partial, chunk...)\n",
				New: "\t\tif errors.Is(err, bufio.ErrBufferFull) {\n\t\t\tlr.partial = append(lr.partial, chunk...)\n\t\t}\n",
			}},
			FailsOn: "partial-line",
		},
		{
			Name: "sets no write deadline", File: "server.go",
			Edits: []selftest.Edit{{
				Old: "\tif err := d.conn.SetWriteDeadline(time.Now().Add(d.timeout)); err != nil {\n\t\treturn 0, err\n\t}\n",
				New: "",
			}},
			FailsOn: "write-timeout",
		},
	})
}
