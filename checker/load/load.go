// Package load drives many simulated clients against a chat (or echo) server and
// measures what the server delivers: connect-and-join time, deliveries per second,
// latency percentiles, lost, duplicated and out-of-order deliveries, and the server's CPU
// time and resident memory.
//
// A run has three phases. Connect: N clients dial with bounded parallelism and join
// (chat) until everyone has heard of everyone. Send: K clients send M messages each,
// either as fast as a bounded window of undelivered messages allows or at a fixed rate.
// Drain: the run waits for every delivery, and gives up after a stretch without progress,
// reporting what was lost instead of waiting for it. Every read and write has a deadline
// and the whole run is bounded by Config.Timeout, so a run never hangs.
package load

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// Mode is the protocol the clients speak.
type Mode string

// The modes.
const (
	// Chat is Budget Chat (lessons 04 to 10): a name on the first line, "*" notices,
	// and "[name] text" relayed to every other member.
	Chat Mode = "chat"
	// Echo sends lines and expects the same bytes back (lesson 01).
	Echo Mode = "echo"
)

// Config is one run's workload. Zero fields take the defaults of DefaultConfig.
type Config struct {
	Mode     Mode
	Clients  int // N: clients that connect (and, in chat, join)
	Senders  int // K: in chat, how many of the clients send; in echo every client sends
	Messages int // M: messages each sender sends
	Size     int // bytes of text in each message (at least its numbers)

	// Window bounds, at full speed, how many of one sender's messages may be on their way
	// (sent but not yet delivered to every receiver). Senders x Window must stay below a
	// server's per-client queue (256 lines from lesson 05), or a full-speed run
	// disconnects receivers as too slow.
	Window int

	// Rate, when not zero, paces the senders: messages per second, all senders together.
	// Latency is then measured from the time a message was due, not from when it was
	// written, so a server that falls behind cannot hide its queueing delay.
	Rate float64

	DialParallel int           // connections being dialled and joined at once
	JoinTimeout  time.Duration // how long one client may take to connect and join
	Stall        time.Duration // give up waiting when no progress is made for this long
	Timeout      time.Duration // bounds the whole run

	Progress    io.Writer // where progress is shown while the run lasts; nil for none
	ProgressTTY bool      // Progress is a terminal: redraw one line instead of adding lines
}

// DefaultConfig is the workload of the main target: 1,000 joined clients, 10
// senders.
func DefaultConfig() Config {
	return Config{
		Mode:         Chat,
		Clients:      1000,
		Senders:      10,
		Messages:     1000,
		Size:         32,
		Window:       16,
		DialParallel: 64,
		JoinTimeout:  10 * time.Second,
		Stall:        5 * time.Second,
		Timeout:      5 * time.Minute,
	}
}

// withDefaults fills zero fields from DefaultConfig and checks the rest.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.Mode == "" {
		c.Mode = d.Mode
	}
	if c.Clients == 0 {
		c.Clients = d.Clients
	}
	if c.Senders == 0 {
		c.Senders = d.Senders
	}
	if c.Messages == 0 {
		c.Messages = d.Messages
	}
	if c.Size == 0 {
		c.Size = d.Size
	}
	if c.Window == 0 {
		c.Window = d.Window
	}
	if c.DialParallel == 0 {
		c.DialParallel = d.DialParallel
	}
	if c.JoinTimeout == 0 {
		c.JoinTimeout = d.JoinTimeout
	}
	if c.Stall == 0 {
		c.Stall = d.Stall
	}
	if c.Timeout == 0 {
		c.Timeout = d.Timeout
	}
	switch {
	case c.Mode != Chat && c.Mode != Echo:
		return c, fmt.Errorf("unknown mode %q: chat or echo", c.Mode)
	case c.Clients < 1, c.Senders < 1, c.Messages < 1, c.Size < 1, c.Window < 1, c.DialParallel < 1:
		return c, errors.New("clients, senders, messages, size, window and dial parallelism must be at least 1")
	case c.Mode == Chat && c.Clients < 2:
		return c, errors.New("a chat run needs at least 2 clients: nobody hears a lone sender")
	case c.Rate < 0:
		return c, errors.New("the rate cannot be negative")
	case c.Size > 4000:
		return c, errors.New("the message size must fit a chat line: at most 4000 bytes")
	}
	if c.Mode == Echo {
		c.Senders = c.Clients
	}
	c.Senders = min(c.Senders, c.Clients)
	return c, nil
}

// Target is the server under load.
type Target struct {
	Addr string // host:port
	Pid  int    // its process id, for CPU and memory; 0 when unknown

	// Stop, when set, stops the server. The run calls it once it has measured everything
	// and before it closes its clients, so that the server does not spend the time after
	// the run announcing thousands of departures.
	Stop func()
}
