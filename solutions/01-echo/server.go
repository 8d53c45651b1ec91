package main

import (
	"errors"
	"io"
	"log"
	"net"
	"time"
)

// serve accepts connections until the listener is closed, and gives each one its own
// goroutine, so that a client that sends nothing never keeps another one waiting.
func serve(ln net.Listener) error {
	var delay time.Duration // how long to back off after a failed Accept
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			// Accept fails for passing reasons too, such as running out of file
			// descriptors. Back off (5ms doubling to 1s, as net/http does) instead of
			// spinning or giving up.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			log.Printf("echo: accept: %v; retrying in %v", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		go handle(conn)
	}
}

// handle copies everything the client sends back to it. io.Copy returns when the client
// half-closes its side (EOF), after every byte read has been written back; only then do
// we close our side.
//
// NOTE: there is no deadline yet, so a client that never sends keeps its goroutine and
// its connection forever. Lesson 07 adds timeouts.
func handle(conn net.Conn) {
	defer conn.Close()
	if _, err := io.Copy(conn, conn); err != nil {
		log.Printf("echo: %s: %v", conn.RemoteAddr(), err)
	}
}
