package main

import (
	"regexp"
)

// validRoom is the rule for room names: 1 to 32 letters, digits, "-" or "_".
var validRoom = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

const helpText = "* Commands: /join ROOM, /rooms, /who, /msg NAME TEXT, /quit, /help"

// obey acts on one non-empty line from a joined member: a chat message, or a command
// when it starts with "/". A line starting with "//" is a chat message that starts with
// "/". It reports whether the member asked to quit. A mistake is answered with an error
// line and leaves the connection usable.
//
// TODO(step 1): every line is a chat message so far. Make a line that starts with "/" a
// command: split off its name at the first space (strings.Cut), and answer it with
// me.send. /help replies helpText; /quit replies "* Bye!" and returns true; /join checks
// the room's name with validRoom and calls s.reg.move; /rooms and /who call
// s.reg.listRooms and s.reg.who; /msg NAME TEXT calls s.reg.tell. Answer mistakes with
// the error lines of docs/protocol.md: an unknown command, /join without a valid room,
// /msg without a name and a text (or to nobody), and arguments to a command that takes
// none. A line starting with "//" is a chat message without its first "/".
func (s *server) obey(me *member, line string) (quit bool) {
	s.reg.say(me, line)
	return false
}
