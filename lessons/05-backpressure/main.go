// Command chat is lesson 05's server: the one chat room of lesson 04, where a client that
// stops reading is disconnected instead of slowing everyone else down.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7005", "the TCP address to listen on")
	queue := flag.Int("queue", 256, "the most lines that may wait for one client")
	flag.Parse()
	if *queue < 1 {
		fmt.Fprintln(os.Stderr, "chat: -queue must be at least 1")
		os.Exit(2)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("chat: %v", err)
	}
	log.Printf("chat: listening on %s", ln.Addr())
	s := &server{queue: *queue, room: newRoom()}
	if err := s.serve(ln); err != nil {
		log.Fatalf("chat: %v", err)
	}
}
