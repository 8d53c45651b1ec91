package lessons

import (
	"testing"

	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson06(t *testing.T) {
	t.Parallel()
	selftest.Lesson(t, rooms(), []selftest.Variant{
		{
			Name: "closes the connection on an unknown command", File: "commands.go",
			Edits: []selftest.Edit{{
				Old: `me.send("* Error: unknown command " + cmd + " (try /help)")`,
				New: `me.send("* Error: unknown command " + cmd + " (try /help)")` + "\n\t\treturn true",
			}},
			FailsOn: "commands",
		},
		{
			Name: "tells the room a member moved into that it left", File: "registry.go",
			Edits: []selftest.Edit{
				{Old: "\tr.exitLocked(m, \"\")\n", New: "\told := m.room\n"},
				{
					Old: "\tm.send(\"* You are now in \" + to)\n\tr.enterLocked(m, rm)\n",
					New: "\tm.send(\"* You are now in \" + to)\n\tr.enterLocked(m, rm)\n\told.remove(m)\n\trm.broadcast(m.name, \"* \"+m.name+\" has left the room\")\n" +
						"\tif len(old.members) == 0 && old.name != lobby {\n\t\tdelete(r.rooms, old.name)\n\t}\n",
				},
			},
			FailsOn: "join-and-who",
		},
		{
			Name: "keeps a room that has no members", File: "registry.go",
			Edits:   []selftest.Edit{{Old: "\t\tdelete(r.rooms, rm.name)\n", New: "\t\t// The room stays.\n"}},
			FailsOn: "rooms-list",
		},
		{
			Name: "relays a message to every room", File: "registry.go",
			Edits: []selftest.Edit{{
				Old: `	m.room.broadcast(m.name, "["+m.name+"] "+text)`,
				New: "\tfor _, rm := range r.rooms {\n\t\trm.broadcast(m.name, \"[\"+m.name+\"] \"+text)\n\t}",
			}},
			FailsOn: "room-isolation",
		},
		{
			Name: "delivers a private message to the sender's room", File: "registry.go",
			Edits: []selftest.Edit{{
				Old: `		dst.send("[" + m.name + " (private)] " + text)`,
				New: "\t\t_ = dst\n\t\tm.room.broadcast(m.name, \"[\"+m.name+\" (private)] \"+text)",
			}},
			FailsOn: "private-msg",
		},
	})
}
