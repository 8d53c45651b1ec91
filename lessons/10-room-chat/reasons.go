package main

// reason is why a connection ended, as the log records it. Every connection ends with
// exactly one.
type reason string

const (
	reasonQuit        reason = "quit"          // the client said /quit
	reasonClosed      reason = "closed"        // the client closed the connection, or it broke
	reasonTooSlow     reason = "too slow"      // its queue overflowed, or a write timed out
	reasonIdle        reason = "idle"          // silent through -idle-timeout and -idle-grace
	reasonLineTooLong reason = "line too long" // a line longer than -max-line
	reasonServerFull  reason = "server full"   // refused: -max-clients were connected
	reasonBadName     reason = "bad name"      // the first line was not a valid name
	reasonNameTaken   reason = "name taken"    // someone else has the name
	reasonNameTimeout reason = "name timeout"  // no name within -name-timeout
	reasonShutdown    reason = "shutdown"      // the server shut down
)

// told is what the others in the room are told of why a member left, in parentheses
// after "has left the room"; it is empty when there is nothing to tell.
func (r reason) told() string {
	if r == reasonTooSlow || r == reasonIdle {
		return string(r)
	}
	return ""
}
