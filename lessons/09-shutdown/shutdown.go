package main

import (
	"context"
	"errors"
	"net"
	"time"
)

// errShutdown is why the server stops reading from its clients.
var errShutdown = errors.New("server shutting down")

// goodbye is the last line every client gets when the server shuts down.
const goodbye = "* The server is shutting down. Goodbye!"

// shutdown begins a graceful shutdown, in net/http's order: set the flag (close the
// registry, so nothing more passes between clients), close the listener, then stop
// every reader. Each client's handle then queues the goodbye after everything already
// queued for it, and closes the connection once its writer has written it all; serve's
// caller waits for that, or calls closeAll when it has waited long enough.
//
// TODO(step 1): do the three things in this order. Close the registry (s.reg.close()),
// so that no line passes between clients any more and nobody hears a left notice. Close
// the listener (s.ln.Close(); log the error if there is one), so that serve returns and
// the operating system refuses new clients. Stop every reader with
// s.stopReading(errShutdown): watch then wakes each read that is waiting.
func (s *server) shutdown() {
}

// watch ties conn to the shutdown: the read in progress, and every later one, fails at
// once when the server stops reading, and the connection is closed if closeAll is
// called. The returned function undoes this, and must be called when conn is done.
func (s *server) watch(conn net.Conn) (unwatch func()) {
	stopRead := context.AfterFunc(s.reading, func() {
		// A deadline in the past ends the read now. It fails only if conn is closed,
		// and then there is no read to end.
		_ = conn.SetReadDeadline(time.Unix(1, 0))
	})
	stopClose := context.AfterFunc(s.open, func() { conn.Close() })
	return func() {
		stopRead()
		stopClose()
	}
}
