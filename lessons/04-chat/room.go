package main

import (
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
//
// TODO(step 2): hold r.mu for the whole of join (r.mu.Lock, then defer r.mu.Unlock).
// If r.members already has m.name, return false. Otherwise queue for m the presence line,
// "* The room contains: " followed by the names already in the room, sorted
// (sort.Strings) and joined with ", " (strings.Join); queue "* NAME has entered the
// room" for everyone else with broadcastLocked; and only then add m to r.members, so
// that m hears neither its own arrival nor anything said before it was listed.
func (r *room) join(m *member) bool {
	return true
}

// leave removes m and tells everyone else.
//
// TODO(step 4): under r.mu, delete m from r.members, then queue "* NAME has left the
// room" for everyone else with broadcastLocked.
func (r *room) leave(m *member) {
}

// say relays a chat line from one member to all the others.
//
// TODO(step 3): under r.mu, queue "[NAME] TEXT" (here "["+from+"] "+text) for every
// member except from, with broadcastLocked.
func (r *room) say(from, text string) {
}

// broadcastLocked queues line for every member except the one called except. The caller
// holds r.mu.
//
// TODO(step 2): send line on the out channel of every member whose name is not except.
// Only send on the channel: the member's own writer goroutine writes to its socket.
//
// NOTE: the send blocks when a member's queue is full, and it blocks under the lock, so
// one client that stops reading eventually stalls the whole room. Lesson 05 fixes this.
func (r *room) broadcastLocked(except, line string) {
}
