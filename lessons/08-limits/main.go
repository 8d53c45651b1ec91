// Command chat is lesson 08's server: lesson 07's chat with limits on how many clients
// may connect, how long a line may be and how fast a client may send, so that no client
// can take more than its share.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"golang.org/x/sync/semaphore"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7008", "the TCP address to listen on")
	queue := flag.Int("queue", 256, "the most lines that may wait for one client")
	nameTimeout := flag.Duration("name-timeout", 30*time.Second, "how long a new client has to send its name")
	idleTimeout := flag.Duration("idle-timeout", 5*time.Minute, "how long a joined client may stay silent before it is warned")
	idleGrace := flag.Duration("idle-grace", time.Minute, "how long a warned client has to send something")
	writeTimeout := flag.Duration("write-timeout", 10*time.Second, "how long one write to a client may take")
	maxClients := flag.Int("max-clients", 100, "the most connections open at once, joined or not")
	maxLine := flag.Int("max-line", 4096, "the longest line, in bytes, not counting its ending")
	rate := flag.Float64("rate", 5, "the most lines per second a client may send on average; 0 means no limit")
	burst := flag.Int("burst", 10, "how many lines a client may send at once before -rate applies")
	flag.Parse()
	if *queue < 1 {
		usage("-queue must be at least 1")
	}
	if *nameTimeout <= 0 || *idleTimeout <= 0 || *idleGrace <= 0 || *writeTimeout <= 0 {
		usage("-name-timeout, -idle-timeout, -idle-grace and -write-timeout must be positive")
	}
	if *maxClients < 1 || *maxLine < 1 {
		usage("-max-clients and -max-line must be at least 1")
	}
	if *rate < 0 || *rate > 0 && *burst < 1 {
		usage("-rate must not be negative, and -burst must be at least 1")
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
		maxLine:      *maxLine,
		rate:         *rate,
		burst:        *burst,
		slots:        semaphore.NewWeighted(int64(*maxClients)),
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
