package lessons

import (
	"testing"

	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson01(t *testing.T) {
	t.Parallel()
	selftest.Lesson(t, echo(), []selftest.Variant{
		{
			Name: "handles one connection at a time", File: "server.go",
			Edits:   []selftest.Edit{{Old: "go handle(conn)", New: "handle(conn)"}},
			FailsOn: "concurrent",
		},
		{
			Name: "serves a crowd one client at a time", File: "server.go",
			Edits:   []selftest.Edit{{Old: "go handle(conn)", New: "handle(conn)"}},
			FailsOn: "crowd",
		},
		{
			Name: "echoes one read and stops", File: "server.go",
			Edits: []selftest.Edit{{
				Old: "if _, err := io.Copy(conn, conn); err != nil {",
				New: "buf := make([]byte, 4096)\n\tn, err := conn.Read(buf)\n\t_, _ = conn.Write(buf[:n])\n\t_ = io.Copy\n\tif err != nil {",
			}},
			FailsOn: "binary",
		},
		{
			Name: "never closes the connection", File: "server.go",
			Edits:   []selftest.Edit{{Old: "defer conn.Close()", New: ""}},
			FailsOn: "half-close",
		},
		{
			Name: "echoes lines instead of bytes", File: "server.go",
			Edits: []selftest.Edit{
				{Old: `"errors"`, New: "\"bufio\"\n\t\"errors\"\n\t\"fmt\""},
				{
					Old: "if _, err := io.Copy(conn, conn); err != nil {",
					New: "sc := bufio.NewScanner(conn)\n\tfor sc.Scan() {\n\t\tfmt.Fprintln(conn, sc.Text())\n\t}\n\t_ = io.Copy\n\tif err := sc.Err(); err != nil {",
				},
			},
			FailsOn: "binary",
		},
	})
}
