// Command echo is lesson 01's server: every byte a client sends comes straight back.
//
// It is compatible with Protohackers problem 0, "Smoke Test".
package main

import (
	"flag"
	"log"
	"net"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7001", "the TCP address to listen on")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("echo: %v", err)
	}
	log.Printf("echo: listening on %s", ln.Addr())
	if err := serve(ln); err != nil {
		log.Fatalf("echo: %v", err)
	}
}
