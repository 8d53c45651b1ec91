// Command chat is lesson 10's server, the full room chat: rooms and commands, bounded
// queues, timeouts, limits and a graceful shutdown, with structured logs, sized for
// thousands of clients.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
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
	addr := flag.String("addr", "127.0.0.1:7010", "the TCP address to listen on")
	queue := flag.Int("queue", 256, "the most lines that may wait for one client")
	nameTimeout := flag.Duration("name-timeout", 30*time.Second, "how long a new client has to send its name")
	idleTimeout := flag.Duration("idle-timeout", 5*time.Minute, "how long a joined client may stay silent before it is warned")
	idleGrace := flag.Duration("idle-grace", time.Minute, "how long a warned client has to send something")
	writeTimeout := flag.Duration("write-timeout", 10*time.Second, "how long one write to a client may take")
	maxClients := flag.Int("max-clients", 20000, "the most connections open at once, joined or not")
	maxLine := flag.Int("max-line", 4096, "the longest line, in bytes, not counting its ending")
	rate := flag.Float64("rate", 5, "the most lines per second a client may send on average; 0 means no limit")
	burst := flag.Int("burst", 10, "how many lines a client may send at once before -rate applies")
	shutdownTimeout := flag.Duration("shutdown-timeout", 10*time.Second, "how long a graceful shutdown may take")
	logFormat := flag.String("log-format", "text", "the format of the logs on standard error: text or json")
	logLevel := flag.String("log-level", "info", "the least important logs shown: debug, info, warn or error")
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
	logger, err := newLogger(*logFormat, *logLevel)
	if err != nil {
		usage(err.Error())
	}
	slog.SetDefault(logger)

	// The first SIGINT or SIGTERM cancels ctx.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		slog.Error("cannot listen", "err", err)
		return 1
	}
	slog.Info("listening", "addr", ln.Addr().String())
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

	// From here a second signal must end the process at once, with status 1. It is
	// caught on a channel of our own, set up before stop, so there is no moment when the
	// signal's default action would kill the process instead.
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	stop()

	slog.Info("shutting down", "timeout", shutdownTimeout.String())
	s.shutdown()
	finished := make(chan error, 1)
	go func() { finished <- g.Wait() }() // ends once every connection is closed
	timer := time.NewTimer(*shutdownTimeout)
	defer timer.Stop()
	select {
	case err := <-finished:
		if err != nil {
			slog.Error("server failed", "err", err)
			return 1
		}
		slog.Info("shut down")
		return 0
	case <-again:
		slog.Warn("second signal: exiting at once")
		return 1
	case <-timer.C:
		slog.Warn("shutdown took too long: closing every connection", "timeout", shutdownTimeout.String())
		s.closeAll()
		select {
		case <-finished:
		case <-again:
		}
		return 1
	}
}

// usage reports a bad flag value and exits with status 2, as the flag package does.
func usage(msg string) {
	fmt.Fprintln(os.Stderr, "chat: "+msg)
	os.Exit(2)
}

// newLogger returns a logger that writes to standard error in format, "text" or "json",
// the logs of level ("debug", "info", "warn" or "error") and above.
func newLogger(format, level string) (*slog.Logger, error) {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "info":
		l = slog.LevelInfo
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		return nil, fmt.Errorf("-log-level must be debug, info, warn or error, not %q", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("-log-format must be text or json, not %q", format)
}
