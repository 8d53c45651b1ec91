package main

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// lobby is the room every member joins first. It always exists, even when empty.
const lobby = "lobby"

var errNameTaken = errors.New("name taken")

// registry is every joined member and every room. One mutex guards both, and every
// delivery happens under it, so all members see events in one order, and nobody hears of
// a member who has not finished joining or moving. Once closed, it passes nothing on
// from one member to another.
type registry struct {
	mu      sync.Mutex         // guards the fields below, every room, and member.room
	members map[string]*member // joined clients by name, whatever their room
	rooms   map[string]*room   // the lobby and every other room with members, by name
	closed  bool               // set by close, for the shutdown
}

func newRegistry() *registry {
	return &registry{
		members: make(map[string]*member),
		rooms:   map[string]*room{lobby: {name: lobby}},
	}
}

// join adds m to the lobby. The newcomer is told who is already there and the others
// are told of the newcomer. It fails with errNameTaken if the name is taken, and with
// errShutdown once the registry is closed.
func (r *registry) join(m *member) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errShutdown
	}
	if _, taken := r.members[m.name]; taken {
		return errNameTaken
	}
	r.members[m.name] = m
	r.enterLocked(m, r.rooms[lobby])
	return nil
}

// leave removes m and tells its room, unless the registry is closed. why, when not
// empty, is the reason the others are told in parentheses, such as "too slow".
func (r *registry) leave(m *member, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.members, m.name)
	r.exitLocked(m, why)
}

// say relays a chat line from m to the others in its room.
func (r *registry) say(m *member, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	m.room.broadcast(m.name, "["+m.name+"] "+text)
}

// move takes m from its room to the room called to, which it creates if need be.
func (r *registry) move(m *member, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if m.room.name == to {
		m.send("* You are already in " + to)
		return
	}
	r.exitLocked(m, "")
	rm := r.rooms[to]
	if rm == nil {
		rm = &room{name: to}
		r.rooms[to] = rm
	}
	m.send("* You are now in " + to)
	r.enterLocked(m, rm)
}

// tell sends text to the member called to, in any room, as a private message from m. It
// reports whether there is such a member, or the registry is closed.
func (r *registry) tell(m *member, to, text string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return true // the line came too late to be obeyed: no error either
	}
	dst, ok := r.members[to]
	if ok {
		dst.send("[" + m.name + " (private)] " + text)
	}
	return ok
}

// listRooms tells m every room and how many members it has, in order of name.
func (r *registry) listRooms(m *member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.rooms))
	for name := range r.rooms {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("* Rooms: ")
	for i, name := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name + " (" + strconv.Itoa(len(r.rooms[name].members)) + ")")
	}
	m.send(b.String())
}

// who tells m the members of its room, m included.
func (r *registry) who(m *member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m.send(m.room.names("* In " + m.room.name + ": "))
}

// enterLocked puts m in rm: m is told who is already there, then they are told of m.
// The caller holds r.mu.
func (r *registry) enterLocked(m *member, rm *room) {
	m.send(rm.names("* The room contains: "))
	rm.broadcast("", "* "+m.name+" has entered the room")
	rm.add(m)
}

// exitLocked takes m out of its room and tells the others there, with why in
// parentheses when it is not empty. A room other than the lobby goes when its last
// member does. The caller holds r.mu.
func (r *registry) exitLocked(m *member, why string) {
	rm := m.room
	rm.remove(m)
	notice := "* " + m.name + " has left the room"
	if why != "" {
		notice += " (" + why + ")"
	}
	if !r.closed {
		rm.broadcast("", notice)
	}
	if len(rm.members) == 0 && rm.name != lobby {
		delete(r.rooms, rm.name)
	}
}

// close makes the registry deliver nothing from now on, not even left notices, so that
// every line a client hears before the server's goodbye was delivered to everyone it was
// meant for. Replies to a member's own /rooms and /who still go out: they concern nobody
// else.
func (r *registry) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
}
