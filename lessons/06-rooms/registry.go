package main

import (
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
//
// TODO(step 2): under r.mu, as one step: if m is already in to, reply
// "* You are already in ROOM". Otherwise leave m's room (exitLocked: its members are
// told), find the room called to in r.rooms or make it, reply "* You are now in ROOM",
// and enter it (enterLocked: m gets the presence line, its members are told).
func (r *registry) move(m *member, to string) {
	m.send("* Error: /join is not written yet")
}

// tell sends text to the member called to, in any room, as a private message from m. It
// reports whether there is such a member.
//
// TODO(step 3): under r.mu, find the member called to in r.members, whatever its room,
// and send it "[SENDER (private)] TEXT".
func (r *registry) tell(m *member, to, text string) bool {
	m.send("* Error: /msg is not written yet")
	return true
}

// listRooms tells m every room and how many members it has, in order of name.
//
// TODO(step 2): under r.mu, reply "* Rooms: R1 (N1), R2 (N2)": every room in r.rooms,
// sorted by name (slices.Sort), each with its number of members.
func (r *registry) listRooms(m *member) {
	m.send("* Error: /rooms is not written yet")
}

// who tells m the members of its room, m included.
//
// TODO(step 2): under r.mu, reply "* In ROOM: A, B" with the members of m's room
// (its names method lists them).
func (r *registry) who(m *member) {
	m.send("* Error: /who is not written yet")
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
//
// TODO(step 2): when the room is left empty and is not the lobby, delete it from
// r.rooms, so that /rooms no longer lists it.
func (r *registry) exitLocked(m *member, why string) {
	rm := m.room
	rm.remove(m)
	notice := "* " + m.name + " has left the room"
	if why != "" {
		notice += " (" + why + ")"
	}
	rm.broadcast("", notice)
}
