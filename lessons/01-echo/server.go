package main

import (
	"net"
)

// serve accepts connections until the listener is closed, and gives each one its own
// goroutine, so that a client that sends nothing never keeps another one waiting.
//
// TODO(step 2): this loop serves one client at a time: while handle runs, nobody else
// is served. Run handle in a goroutine of its own. And do not give up on the first failed
// Accept: return nil when the error is net.ErrClosed (the listener was closed on
// purpose); otherwise log it, pause a little so the loop never spins, and try again.
func serve(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		handle(conn)
	}
}

// handle copies everything the client sends back to it, then closes the connection.
//
// TODO(step 1): copy from conn to conn until the client half-closes its side (EOF);
// io.Copy does exactly this. Then close the connection, so the client sees EOF too.
func handle(conn net.Conn) {
	_ = conn
}
