package lessons

import (
	"testing"

	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson02(t *testing.T) {
	t.Parallel()
	selftest.Lesson(t, lines(), []selftest.Variant{
		{
			Name: "treats each Read as one line", File: "server.go",
			Edits: []selftest.Edit{{
				Old: `line, err := in.ReadSlice('\n')`,
				New: "buf := make([]byte, 1024)\n\tn, err := in.Read(buf)\n\tline := append(bytes.TrimRight(buf[:n], \"\\r\\n\"), '\\n')",
			}},
			FailsOn: "pipelined",
		},
		{
			Name: "keeps the \\r of a \\r\\n line ending", File: "server.go",
			Edits: []selftest.Edit{{
				Old: `line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))`,
				New: `line = line[:len(line)-1]`,
			}},
			FailsOn: "crlf",
		},
		{
			Name: "keeps bufio's default 4096-byte buffer", File: "server.go",
			Edits:   []selftest.Edit{{Old: "bufio.NewReaderSize(conn, maxLine+2)", New: "bufio.NewReader(conn)"}},
			FailsOn: "long-line",
		},
		{
			Name: "reads lines with ReadString, which has no limit", File: "server.go",
			Edits: []selftest.Edit{{
				Old: `line, err := in.ReadSlice('\n')`,
				New: "s, err := in.ReadString('\\n') // grows until the \"\\n\" comes, however long\n\tline := []byte(s)",
			}},
			FailsOn: "over-limit",
		},
		{
			Name: "flushes only when nothing at all is buffered", File: "server.go",
			Edits:   []selftest.Edit{{Old: "if !open || !lineBuffered(in) {", New: "if !open || in.Buffered() == 0 {"}},
			FailsOn: "split-line",
		},
		{
			Name: "closes the connection on an unknown command", File: "commands.go",
			Edits: []selftest.Edit{{
				Old: "return `ERR unknown command \"` + word + `\"`, true",
				New: "return `ERR unknown command \"` + word + `\"`, false",
			}},
			FailsOn: "unknown-command",
		},
		{
			Name: "quotes the unknown word with %q", File: "commands.go",
			Edits: []selftest.Edit{
				{Old: "import (\n", New: "import (\n\t\"fmt\"\n"},
				{Old: "return `ERR unknown command \"` + word + `\"`, true", New: "return fmt.Sprintf(\"ERR unknown command %q\", word), true"},
			},
			FailsOn: "unknown-command",
		},
	})
}
