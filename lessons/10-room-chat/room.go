package main

import (
	"cmp"
	"net"
	"slices"
	"strings"
	"sync/atomic"
)

// member is a joined client as the registry sees it: a name, a room, and the lines
// waiting for that client's writer goroutine. The registry never touches a client's
// socket, except to close it when the client is too slow.
type member struct {
	name    string      // set before the member joins, and never changed after
	out     *outbox     // the lines waiting for the writer
	queue   int         // the most lines that may wait in out (-queue)
	conn    net.Conn    // closed to disconnect the member when it is too slow
	tooSlow atomic.Bool // set once, when a line did not fit in out or a write timed out
	room    *room       // the member's room; guarded by the registry's mu
}

// send queues line for the member's writer and never waits. A member with queue lines
// waiting already is too slow: it is marked so and its connection is closed, which ends
// its reader, whose leave then tells the room why. Lines for a member already found too
// slow are dropped.
//
// send never takes the registry's lock, and is safe to call with it held.
func (m *member) send(line string) {
	if m.tooSlow.Load() {
		return
	}
	if !m.out.addWithin(line, m.queue) {
		m.disconnectTooSlow()
	}
}

// disconnectTooSlow marks m too slow and closes its connection, the first time only.
// Closing a socket does not block, so the registry may call it under its lock.
func (m *member) disconnectTooSlow() {
	if m.tooSlow.CompareAndSwap(false, true) {
		m.conn.Close()
	}
}

// room is a named set of members. It has no lock of its own: the registry's mu guards
// every room, so a member moving between rooms is one step that everyone sees in the
// same order.
type room struct {
	name      string
	members   []*member // sorted by name, so presence lines need no sorting
	nameBytes int       // the length of all the members' names together
}

// add puts m among the members, keeping them sorted.
func (rm *room) add(m *member) {
	i, _ := slices.BinarySearchFunc(rm.members, m.name, byName)
	rm.members = slices.Insert(rm.members, i, m)
	rm.nameBytes += len(m.name)
	m.room = rm
}

// remove takes m out of the members.
func (rm *room) remove(m *member) {
	if i, found := slices.BinarySearchFunc(rm.members, m.name, byName); found {
		rm.members = slices.Delete(rm.members, i, i+1)
		rm.nameBytes -= len(m.name)
	}
}

func byName(m *member, name string) int { return cmp.Compare(m.name, name) }

// names returns prefix followed by the members' names in order, joined with ", ". It
// builds the line in one piece of memory sized in advance: with thousands in a room, each
// join then costs one copy of every name, not several.
func (rm *room) names(prefix string) string {
	var b strings.Builder
	b.Grow(len(prefix) + rm.nameBytes + 2*len(rm.members))
	b.WriteString(prefix)
	for i, m := range rm.members {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.name)
	}
	return b.String()
}

// broadcast queues line for every member except the one called except. The caller holds
// the registry's mu. It never waits: a member that cannot keep up is disconnected by
// send instead of holding up the others.
func (rm *room) broadcast(except, line string) {
	for _, m := range rm.members {
		if m.name != except {
			m.send(line)
		}
	}
}
