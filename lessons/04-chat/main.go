// Command chat is lesson 04's server: one chat room, compatible with Protohackers
// problem 3, "Budget Chat".
package main

import (
	"flag"
	"log"
	"net"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7004", "the TCP address to listen on")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("chat: %v", err)
	}
	log.Printf("chat: listening on %s", ln.Addr())
	if err := serve(ln, newRoom()); err != nil {
		log.Fatalf("chat: %v", err)
	}
}
