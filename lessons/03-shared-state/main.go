// Command who is lesson 03's server: lesson 02's line protocol, plus commands that show
// who else is online.
package main

import (
	"flag"
	"log"
	"net"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7003", "the TCP address to listen on")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("who: %v", err)
	}
	log.Printf("who: listening on %s", ln.Addr())
	if err := serve(ln, newRegistry()); err != nil {
		log.Fatalf("who: %v", err)
	}
}
