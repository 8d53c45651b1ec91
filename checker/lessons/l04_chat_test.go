package lessons

import (
	"testing"

	"github.com/gochat-course/gochat/checker/selftest"
)

func TestLesson04(t *testing.T) {
	t.Parallel()
	selftest.Lesson(t, chat(), []selftest.Variant{
		{
			Name: "relays a line to its sender too", File: "room.go",
			Edits: []selftest.Edit{{
				Old: `r.broadcastLocked(from, "["+from+"] "+text)`,
				New: `r.broadcastLocked("", "["+from+"] "+text)`,
			}},
			FailsOn: "relay",
		},
		{
			Name: "adds the newcomer to the room before listing who is there", File: "room.go",
			Edits: []selftest.Edit{
				{Old: "\tr.members[m.name] = m\n\treturn true", New: "\treturn true"},
				{Old: "\tnames := make([]string, 0, len(r.members))", New: "\tr.members[m.name] = m\n\tnames := make([]string, 0, len(r.members))"},
			},
			FailsOn: "presence",
		},
		{
			// As in gopl's chat, every connection is in the room from the start; here it
			// is re-registered under its name when it joins.
			Name: "puts every connection in the room before it has a name", File: "server.go",
			Edits: []selftest.Edit{
				{
					Old: "\tout <- \"Welcome to budgetchat! What shall I call you?\"\n",
					New: "\tguest := &member{name: conn.RemoteAddr().String(), out: out}\n" +
						"\tr.mu.Lock()\n\tr.members[guest.name] = guest\n\tr.mu.Unlock()\n" +
						"\tdefer func() {\n\t\tr.mu.Lock()\n\t\tdelete(r.members, guest.name)\n\t\tr.mu.Unlock()\n\t}()\n" +
						"\tout <- \"Welcome to budgetchat! What shall I call you?\"\n",
				},
				{
					Old: "\tme := &member{name: name, out: out}\n",
					New: "\tme := &member{name: name, out: out}\n\tr.mu.Lock()\n\tdelete(r.members, guest.name)\n\tr.mu.Unlock()\n",
				},
			},
			FailsOn: "unjoined",
		},
		{
			Name: "reads the name with a reader of its own", File: "server.go",
			Edits: []selftest.Edit{{
				Old: "\tname, err := readLine(in)\n",
				New: "\tname, err := readLine(bufio.NewReaderSize(conn, maxLine+2))\n",
			}},
			FailsOn: "coalesced-lines",
		},
		{
			Name: "relays each line from a goroutine of its own", File: "server.go",
			Edits:   []selftest.Edit{{Old: "\t\t\tr.say(name, line)\n", New: "\t\t\tgo r.say(name, line)\n"}},
			FailsOn: "order",
		},
		{
			Name: "joins the room before checking the name", File: "server.go",
			Edits: []selftest.Edit{
				{
					Old: "\tif !validName.MatchString(name) {\n\t\tout <- \"* Sorry, names are 1 to 32 letters or digits.\"\n\t\treturn\n\t}\n\tme := &member{name: name, out: out}\n\tif !r.join(me) {\n\t\tout <- \"* Sorry, the name \" + name + \" is taken.\"\n\t\treturn\n\t}\n\tdefer r.leave(me) // runs before the writer's queue is closed: defers run last first\n",
					New: "\tme := &member{name: name, out: out}\n\tif !r.join(me) {\n\t\tout <- \"* Sorry, the name \" + name + \" is taken.\"\n\t\treturn\n\t}\n\tdefer r.leave(me) // runs before the writer's queue is closed: defers run last first\n\tif !validName.MatchString(name) {\n\t\tout <- \"* Sorry, names are 1 to 32 letters or digits.\"\n\t\treturn\n\t}\n",
				},
			},
			FailsOn: "bad-names",
		},
		{
			Name: "never leaves the room when a client disconnects", File: "server.go",
			Edits: []selftest.Edit{{
				Old: "\tdefer r.leave(me) // runs before the writer's queue is closed: defers run last first\n",
				New: "\t_ = r.leave\n",
			}},
			FailsOn: "leave",
		},
		{
			Name: "leaves the room only on a clean end of file", File: "server.go",
			Edits: []selftest.Edit{
				{Old: "\t\"fmt\"\n", New: "\t\"fmt\"\n\t\"io\"\n"},
				{Old: "\tdefer r.leave(me) // runs before the writer's queue is closed: defers run last first\n", New: ""},
				{
					Old: "\t\tif err != nil {\n\t\t\treturn\n\t\t}\n\t\tif line != \"\" {",
					New: "\t\tif errors.Is(err, io.EOF) {\n\t\t\tr.leave(me)\n\t\t\treturn\n\t\t}\n\t\tif err != nil {\n\t\t\treturn\n\t\t}\n\t\tif line != \"\" {",
				},
			},
			FailsOn: "reset",
		},
		{
			Name: "reads the member map in say without the lock", File: "room.go",
			Edits: []selftest.Edit{{
				Old: "\tr.mu.Lock()\n\tdefer r.mu.Unlock()\n\tr.broadcastLocked(from, \"[\"+from+\"] \"+text)",
				New: "\tr.broadcastLocked(from, \"[\"+from+\"] \"+text) // only reads the map, so no lock (wrong)",
			}},
			FailsOn: "crowd",
		},
	})
}
