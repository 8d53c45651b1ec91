package main

import (
	"sort"
	"strings"
	"sync"
)

// member is a joined client as the room sees it: a name and the queue of lines waiting
// for that client's writer goroutine. The room never touches a client's socket.
type member struct {
	name string
	out  chan<- string
}

// room is the one chat room. Every change and every broadcast happens under mu, so all
// members see events in the same order, and nobody hears of a member who has not
// finished joining.
type room struct {
	mu      sync.Mutex         // guards members
	members map[string]*member // joined clients by name
}

func newRoom() *room {
	return &room{members: make(map[string]*member)}
}

// join adds m to the room, unless its name is taken. The newcomer is told who is already
// here and everyone else is told of the newcomer.
func (r *room) join(m *member) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, taken := r.members[m.name]; taken {
		return false
	}
	names := make([]string, 0, len(r.members))
	for name := range r.members {
		names = append(names, name)
	}
	sort.Strings(names)
	m.out <- "* The room contains: " + strings.Join(names, ", ")
	r.broadcastLocked(m.name, "* "+m.name+" has entered the room")
	r.members[m.name] = m
	return true
}

// leave removes m and tells everyone else.
func (r *room) leave(m *member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.members, m.name)
	r.broadcastLocked(m.name, "* "+m.name+" has left the room")
}

// say relays a chat line from one member to all the others.
func (r *room) say(from, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.broadcastLocked(from, "["+from+"] "+text)
}

// broadcastLocked queues line for every member except the one called except. The caller
// holds r.mu.
//
// NOTE: the send blocks when a member's queue is full, and it blocks under the lock, so
// one client that stops reading eventually stalls the whole room. Lesson 05 fixes this.
func (r *room) broadcastLocked(except, line string) {
	for name, m := range r.members {
		if name != except {
			m.out <- line
		}
	}
}
