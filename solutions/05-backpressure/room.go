package main

import (
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// member is a joined client as the room sees it: a name and the queue of lines waiting
// for that client's writer goroutine. The room never touches a client's socket, except
// to close it when the client is too slow.
type member struct {
	name    string
	out     chan<- string
	conn    net.Conn    // closed to disconnect the member when it is too slow
	tooSlow atomic.Bool // set once, when a line did not fit in out
}

// send queues line for the member's writer and never waits. A member whose queue is full
// is too slow: it is marked so and its connection is closed, which ends its reader, whose
// leave then tells the room why. Lines for a member already found too slow are dropped.
//
// send only closes a socket, which does not block, so it is safe to call with the room's
// lock held; it never takes the lock itself.
func (m *member) send(line string) {
	if m.tooSlow.Load() {
		return
	}
	select {
	case m.out <- line:
	default:
		if m.tooSlow.CompareAndSwap(false, true) {
			m.conn.Close()
		}
	}
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

// leave removes m and tells everyone else. why, when not empty, is the reason the others
// are told in parentheses, such as "too slow".
func (r *room) leave(m *member, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.members, m.name)
	notice := "* " + m.name + " has left the room"
	if why != "" {
		notice += " (" + why + ")"
	}
	r.broadcastLocked(m.name, notice)
}

// say relays a chat line from one member to all the others.
func (r *room) say(from, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.broadcastLocked(from, "["+from+"] "+text)
}

// broadcastLocked queues line for every member except the one called except. The caller
// holds r.mu. It never waits: a member that cannot keep up is disconnected by send
// instead of holding up the others.
func (r *room) broadcastLocked(except, line string) {
	for name, m := range r.members {
		if name != except {
			m.send(line)
		}
	}
}
