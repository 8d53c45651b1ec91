package main

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// lobby is the room every member joins first. It always exists, even when empty.
const lobby = "lobby"

// registry is every joined member and every room. One mutex guards both, and every
// delivery happens under it, so all members see events in one order, and nobody hears of
// a member who has not finished joining or moving.
type registry struct {
	mu      sync.Mutex         // guards the fields below, every room, and member.room
	members map[string]*member // joined clients by name, whatever their room
	rooms   map[string]*room   // the lobby and every other room with members, by name
}

func newRegistry() *registry {
	return &registry{
		members: make(map[string]*member),
		rooms:   map[string]*room{lobby: {name: lobby}},
	}
}

// join adds m to the lobby, unless its name is taken. The newcomer is told who is
// already there and the others are told of the newcomer.
func (r *registry) join(m *member) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, taken := r.members[m.name]; taken {
		return false
	}
	r.members[m.name] = m
	r.enterLocked(m, r.rooms[lobby])
	return true
}

// leave removes m and tells its room. why, when not empty, is the reason the others are
// told in parentheses, such as "too slow".
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
	m.room.broadcast(m.name, "["+m.name+"] "+text)
}

// move takes m from its room to the room called to, which it creates if need be.
func (r *registry) move(m *member, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
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
// reports whether there is such a member.
func (r *registry) tell(m *member, to, text string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
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
	m.send("* In " + m.room.name + ": " + m.room.names())
}

// enterLocked puts m in rm: m is told who is already there, then they are told of m.
// The caller holds r.mu.
func (r *registry) enterLocked(m *member, rm *room) {
	m.send("* The room contains: " + rm.names())
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
	rm.broadcast("", notice)
	if len(rm.members) == 0 && rm.name != lobby {
		delete(r.rooms, rm.name)
	}
}
