// Command chat is lesson 09's server: lesson 08's chat, which on SIGINT or SIGTERM stops
// accepting and reading, delivers what it has queued, says goodbye and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

func main() {
	os.Exit(run())
}

// run is the whole server; it returns the exit status: 0 after a graceful shutdown, 1
// when something failed or the shutdown was cut short.
func run() int {
	addr := flag.String("addr", "127.0.0.1:7009", "the TCP address to listen on")
	queue := flag.Int("queue", 256, "the most lines that may wait for one client")
	nameTimeout := flag.Duration("name-timeout", 30*time.Second, "how long a new client has to send its name")
	idleTimeout := flag.Duration("idle-timeout", 5*time.Minute, "how long a joined client may stay silent before it is warned")
	idleGrace := flag.Duration("idle-grace", time.Minute, "how long a warned client has to send something")
	writeTimeout := flag.Duration("write-timeout", 10*time.Second, "how long one write to a client may take")
	maxClients := flag.Int("max-clients", 100, "the most connections open at once, joined or not")
	maxLine := flag.Int("max-line", 4096, "the longest line, in bytes, not counting its ending")
	rate := flag.Float64("rate", 5, "the most lines per second a client may send on average; 0 means no limit")
	burst := flag.Int("burst", 10, "how many lines a client may send at once before -rate applies")
	shutdownTimeout := flag.Duration("shutdown-timeout", 10*time.Second, "how long a graceful shutdown may take")
	flag.Parse()
	if *queue < 1 {
		usage("-queue must be at least 1")
	}
	if *nameTimeout <= 0 || *idleTimeout <= 0 || *idleGrace <= 0 || *writeTimeout <= 0 || *shutdownTimeout <= 0 {
		usage("-name-timeout, -idle-timeout, -idle-grace, -write-timeout and -shutdown-timeout must be positive")
	}
	if *maxClients < 1 || *maxLine < 1 {
		usage("-max-clients and -max-line must be at least 1")
	}
	if *rate < 0 || *rate > 0 && *burst < 1 {
		usage("-rate must not be negative, and -burst must be at least 1")
	}

	// TODO(step 1): the first SIGINT or SIGTERM must cancel ctx, instead of killing the
	// process as it does now. signal.NotifyContext(context.Background(), os.Interrupt,
	// syscall.SIGTERM) returns such a context and a stop function: defer stop().
	ctx := context.Background()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Printf("chat: %v", err)
		return 1
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
		ln:           ln,
	}
	s.reading, s.stopReading = context.WithCancelCause(context.Background())
	s.open, s.closeAll = context.WithCancel(context.Background())
	defer s.closeAll()

	// Every goroutine of the server runs in g: serve, and one per connection. A failure
	// of any of them cancels ctx, and so shuts the server down like a signal.
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.serve(g) })
	<-ctx.Done()

	// TODO(step 2): from here a second signal must end the process at once, with status
	// 1. Catch SIGINT and SIGTERM on a channel of your own (signal.Notify), set up before
	// you call stop, so that there is no moment when the signal's default action would
	// kill the process instead.

	log.Printf("chat: shutting down")
	s.shutdown()
	// TODO(step 2): wait for g in a goroutine of its own, which sends g.Wait()'s result
	// on a channel, and select on that channel, on the second signal (return 1 at once),
	// and on a timer of *shutdownTimeout: when the timer fires, s.closeAll() closes every
	// connection; wait for g (or a second signal) and return 1.
	_ = shutdownTimeout
	if err := g.Wait(); err != nil {
		log.Printf("chat: %v", err)
		return 1
	}
	log.Printf("chat: shut down")
	return 0
}

// usage reports a bad flag value and exits with status 2, as the flag package does.
func usage(msg string) {
	fmt.Fprintln(os.Stderr, "chat: "+msg)
	os.Exit(2)
}
