// Command chat is lesson 07's server: lesson 06's rooms and commands, with deadlines, so
// that a client that never names itself, falls silent or stops reading cannot hold on to
// its connection forever.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7007", "the TCP address to listen on")
	queue := flag.Int("queue", 256, "the most lines that may wait for one client")
	nameTimeout := flag.Duration("name-timeout", 30*time.Second, "how long a new client has to send its name")
	idleTimeout := flag.Duration("idle-timeout", 5*time.Minute, "how long a joined client may stay silent before it is warned")
	idleGrace := flag.Duration("idle-grace", time.Minute, "how long a warned client has to send something")
	writeTimeout := flag.Duration("write-timeout", 10*time.Second, "how long one write to a client may take")
	flag.Parse()
	if *queue < 1 {
		usage("-queue must be at least 1")
	}
	if *nameTimeout <= 0 || *idleTimeout <= 0 || *idleGrace <= 0 || *writeTimeout <= 0 {
		usage("-name-timeout, -idle-timeout, -idle-grace and -write-timeout must be positive")
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("chat: %v", err)
	}
	log.Printf("chat: listening on %s", ln.Addr())
	s := &server{
		queue:        *queue,
		nameTimeout:  *nameTimeout,
		idleTimeout:  *idleTimeout,
		idleGrace:    *idleGrace,
		writeTimeout: *writeTimeout,
		reg:          newRegistry(),
	}
	if err := s.serve(ln); err != nil {
		log.Fatalf("chat: %v", err)
	}
}

// usage reports a bad flag value and exits with status 2, as the flag package does.
func usage(msg string) {
	fmt.Fprintln(os.Stderr, "chat: "+msg)
	os.Exit(2)
}
