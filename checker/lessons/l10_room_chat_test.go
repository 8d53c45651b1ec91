package lessons

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/scenario"
	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson10(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("lesson 10's log scenarios send signals, which Windows does not have")
	}
	t.Parallel()
	selftest.Lesson(t, roomChat(), []selftest.Variant{
		{
			Name: "logs a connection's end without the reason", File: "server.go",
			Edits: []selftest.Edit{{
				Old: `slog.Info("connection ended", append(attrs, "reason", why)...)`,
				New: `slog.Info("connection ended", attrs...)`,
			}},
			FailsOn: "log-reasons",
		},
		{
			Name: "does not log the clients it refuses", File: "server.go",
			Edits: []selftest.Edit{{
				Old: "\tdefer slog.Info(\"connection ended\", \"addr\", conn.RemoteAddr().String(), \"reason\", reasonServerFull)\n",
				New: "\t_ = reasonServerFull\n",
			}},
			FailsOn: "log-reasons",
		},
		{
			Name: "logs a name timeout as closed", File: "server.go",
			Edits: []selftest.Edit{{
				Old: "me.out.add(\"* Sorry, you took too long to choose a name.\")\n\t\treturn false, reasonNameTimeout",
				New: "me.out.add(\"* Sorry, you took too long to choose a name.\")\n\t\treturn false, reasonClosed",
			}},
			FailsOn: "log-timeouts",
		},
		{
			Name: "relays chat lines to every room", File: "registry.go",
			Edits: []selftest.Edit{{
				Old: "\tm.room.broadcast(m.name, \"[\"+m.name+\"] \"+text)\n",
				New: "\tfor _, rm := range r.rooms {\n\t\trm.broadcast(m.name, \"[\"+m.name+\"] \"+text)\n\t}\n",
			}},
			FailsOn: "mixed-load",
		},
		{
			Name: "looks for the recipient of /msg in the sender's room only", File: "registry.go",
			Edits: []selftest.Edit{{
				Old: "\tdst, ok := r.members[to]\n",
				New: "\tvar dst *member\n\tfor _, x := range m.room.members {\n\t\tif x.name == to {\n\t\t\tdst = x\n\t\t}\n\t}\n\tok := dst != nil\n",
			}},
			FailsOn: "mixed-load",
		},
	})
}

func TestLesson10RunsEveryEarlierChatScenario(t *testing.T) {
	got := map[string]scenario.Scenario{}
	for _, sc := range roomChat().Scenarios {
		got[sc.Name] = sc
	}
	t.Run("includes each scenario of lessons 04 to 09 as NN/name, with its lesson's flags first", func(t *testing.T) {
		for _, l := range []scenario.Lesson{chat(), backpressure(), rooms(), timeouts(), limits(), shutdown()} {
			for _, sc := range l.Scenarios {
				name := fmt.Sprintf("%02d/%s", l.Number, sc.Name)
				if _, skip := fullSkip[name]; skip {
					continue
				}
				full, ok := got[name]
				require.Truef(t, ok, "lesson 10 has no scenario %s", name)
				assert.Equal(t, append(append([]string(nil), l.Flags...), sc.Flags...), full.Flags, name)
				assert.Equal(t, sc.NeedsProcess, full.NeedsProcess, name)
			}
		}
	})
	t.Run("starts with its own first step, so that the skeleton fails where it should", func(t *testing.T) {
		assert.Equal(t, "log-reasons", roomChat().Scenarios[0].Name)
	})
}
