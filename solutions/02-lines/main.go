// Command lines is lesson 02's server: it reads a small line protocol and answers every
// command line with one reply line.
package main

import (
	"flag"
	"log"
	"net"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7002", "the TCP address to listen on")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("lines: %v", err)
	}
	log.Printf("lines: listening on %s", ln.Addr())
	if err := serve(ln); err != nil {
		log.Fatalf("lines: %v", err)
	}
}
