package main

import (
	"regexp"
	"strings"
)

// validRoom is the rule for room names: 1 to 32 letters, digits, "-" or "_".
var validRoom = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

const helpText = "* Commands: /join ROOM, /rooms, /who, /msg NAME TEXT, /quit, /help"

// obey acts on one non-empty line from a joined member: a chat message, or a command
// when it starts with "/". A line starting with "//" is a chat message that starts with
// "/". It reports whether the member asked to quit. A mistake is answered with an error
// line and leaves the connection usable.
func (s *server) obey(me *member, line string) (quit bool) {
	if !strings.HasPrefix(line, "/") {
		s.reg.say(me, line)
		return false
	}
	if strings.HasPrefix(line, "//") {
		s.reg.say(me, line[1:])
		return false
	}
	cmd, args, _ := strings.Cut(line, " ")
	switch cmd {
	case "/join":
		if !validRoom.MatchString(args) {
			me.send("* Error: usage: /join ROOM (1 to 32 letters, digits, - or _)")
			return false
		}
		s.reg.move(me, args)
	case "/msg":
		to, text, _ := strings.Cut(args, " ")
		switch {
		case to == "" || text == "":
			me.send("* Error: usage: /msg NAME TEXT")
		case !s.reg.tell(me, to, text):
			me.send("* Error: nobody called " + to + " is here")
		}
	case "/help", "/rooms", "/who", "/quit":
		if args != "" {
			me.send("* Error: usage: " + cmd)
			return false
		}
		switch cmd {
		case "/help":
			me.send(helpText)
		case "/rooms":
			s.reg.listRooms(me)
		case "/who":
			s.reg.who(me)
		case "/quit":
			me.send("* Bye!")
			return true
		}
	default:
		me.send("* Error: unknown command " + cmd + " (try /help)")
	}
	return false
}
