package main

import (
	"sort"
	"strings"
	"sync"
)

// member is a joined client as the room sees it: a name and the queue of lines waiting
// for that client's writer goroutine. The room never touches a client's socket.
//
// TODO(step 2): the room must be able to disconnect a member that is too slow. Keep the
// member's connection here (a net.Conn), and a flag that says the member was found too
// slow (a sync/atomic Bool: send sets it, and the member's own goroutine reads it).
type member struct {
	name string
	out  chan<- string
}

// send queues line for the member's writer. The room calls it with its lock held, for
// every member, so it must never wait for this member.
//
// TODO(step 1): this send blocks when the member's queue is full, and so one member that
// stops reading stalls everyone who talks. Never wait: use a select with a default case,
// and when the queue is full, drop the line.
//
// TODO(step 2): a full queue means the member is too slow. Mark it so, once, and close
// its connection: that ends its reader, whose leave then tells the room why. Drop every
// later line for a member already marked.
func (m *member) send(line string) {
	m.out <- line
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
	m.send("* The room contains: " + strings.Join(names, ", "))
	r.broadcastLocked(m.name, "* "+m.name+" has entered the room")
	r.members[m.name] = m
	return true
}

// leave removes m and tells everyone else.
//
// TODO(step 2): take the reason the member left, such as "too slow", and when there is
// one, add it to the notice in parentheses: "* NAME has left the room (too slow)".
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
// NOTE: send blocks when a member's queue is full, and it blocks under the lock, so one
// client that stops reading eventually stalls the whole room. Steps 1 and 2 fix send.
func (r *room) broadcastLocked(except, line string) {
	for name, m := range r.members {
		if name != except {
			m.send(line)
		}
	}
}
