package lessons

import (
	"fmt"
	"sync"
	"time"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// echo is lesson 01: the Smoke Test echo server.
func echo() scenario.Lesson {
	return scenario.Lesson{
		Number: 1, Slug: "01-echo", Title: "echo",
		Scenarios: []scenario.Scenario{
			{Name: "echo", Doc: "bytes come back as soon as they are sent", Run: echoBack,
				Hint: "step 1: handle must copy from the connection back to the connection (io.Copy(conn, conn))"},
			{Name: "half-close", Doc: "after the client half-closes, the rest comes back and the server closes", Run: echoHalfClose,
				Hint: "step 1: when io.Copy returns (the client sent EOF), close the connection: defer conn.Close()"},
			{Name: "binary", Doc: "64 KiB of random binary data comes back unchanged", Run: echoBinary,
				Hint: "echo bytes, not lines or strings: every byte value, newline or not, must come back; io.Copy loops until EOF"},
			{Name: "split-writes", Doc: "data trickled one byte at a time comes back whole", Run: echoSplit,
				Hint: "one Read returns whatever has arrived, maybe a single byte: keep reading until EOF (io.Copy does)"},
			{Name: "concurrent", Doc: "a silent client never delays five others", Run: echoConcurrent,
				Hint: "step 2: the second client waited for the first to disconnect: handle each connection in its own goroutine (go handle(conn))"},
			{Name: "crowd", Doc: "200 clients at once each get their own data back", Run: echoCrowd,
				Hint: "step 2: start a goroutine per connection, and never share one buffer between connections"},
		},
	}
}

func echoBack(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	for _, msg := range []string{"hello\n", "and again, with no newline"} {
		if err := alice.Send(msg); err != nil {
			return err
		}
		if err := alice.ExpectBytes([]byte(msg), client.Quote(msg, 0)+" back, without waiting for more"); err != nil {
			return err
		}
	}
	return nil
}

func echoHalfClose(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	msg := "the last words before EOF\n"
	if err := alice.Send(msg); err != nil {
		return err
	}
	if err := alice.CloseWrite(); err != nil {
		return err
	}
	if err := alice.ExpectBytes([]byte(msg), client.Quote(msg, 0)+" back after half-closing"); err != nil {
		return err
	}
	return alice.ExpectClosed()
}

func echoBinary(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	payload := randomBytes(env, 64<<10)
	// Make sure the awkward bytes are there whatever the seed.
	copy(payload, "\x00\r\n\xff")
	if err := alice.Send(string(payload)); err != nil {
		return err
	}
	if err := alice.CloseWrite(); err != nil {
		return err
	}
	if err := alice.ExpectBytes(payload, "all 65536 bytes back, unchanged and in order"); err != nil {
		return err
	}
	return alice.ExpectClosed()
}

func echoSplit(env *scenario.Env) error {
	alice, err := env.Dial("alice")
	if err != nil {
		return err
	}
	msg := "one byte at a time\n"
	if err := alice.Trickle(msg, 1, time.Millisecond); err != nil {
		return err
	}
	if err := alice.CloseWrite(); err != nil {
		return err
	}
	if err := alice.ExpectBytes([]byte(msg), client.Quote(msg, 0)+" back, whole"); err != nil {
		return err
	}
	return alice.ExpectClosed()
}

// echoConcurrent keeps one client connected and silent while five others are served.
// A server that handles one connection at a time never gets to the five.
func echoConcurrent(env *scenario.Env) error {
	silent, err := env.Dial("silent")
	if err != nil {
		return err
	}
	// The silent client's connection is accepted and parked before the others arrive:
	// it sends half a message and waits, like a person typing slowly.
	if err := silent.Send("typing slo"); err != nil {
		return err
	}
	err = crowd(env, "client", 5, 0, func(i int, c *client.Conn) error {
		msg := fmt.Sprintf("client %d is here\n", i)
		if err := c.Send(msg); err != nil {
			return err
		}
		return c.ExpectBytes([]byte(msg), client.Quote(msg, 0)+" back while another client is connected and silent")
	})
	if err != nil {
		return err
	}
	if err := silent.Send("wly\n"); err != nil {
		return err
	}
	return silent.ExpectBytes([]byte("typing slowly\n"), `"typing slowly\n" back`)
}

// echoCrowd has 200 clients connected at the same time: each gets its echo while all the
// others are still connected, and only then do they all half-close.
func echoCrowd(env *scenario.Env) error {
	const n = 200
	// Each client gets different data, so one client's bytes arriving at another would
	// be noticed. The payloads are made first: the seeded source is not for goroutines.
	payloads := make([][]byte, n+1)
	for i := range payloads {
		payloads[i] = append([]byte(fmt.Sprintf("client %d:", i)), randomBytes(env, 1024)...)
	}
	// echoed is a barrier: it closes once every client has had its echo, or given up.
	var pending sync.WaitGroup
	pending.Add(n)
	echoed := make(chan struct{})
	go func() {
		pending.Wait()
		close(echoed)
	}()
	return crowd(env, "client", n, 0, func(i int, c *client.Conn) error {
		err := echoOwnPayload(c, payloads[i])
		pending.Done()
		if err != nil {
			return err
		}
		select {
		case <-echoed:
		case <-time.After(c.Step()):
			return client.WithHint(client.Failf(c.Name(), "the other clients to get their echoes while this one stays connected",
				"they were still waiting after %s", c.Step()),
				"step 2: a server that serves one connection at a time never reaches the others while this one is open")
		}
		if err := c.CloseWrite(); err != nil {
			return err
		}
		return c.ExpectClosed()
	})
}

func echoOwnPayload(c *client.Conn, payload []byte) error {
	if err := c.Send(string(payload)); err != nil {
		return err
	}
	return c.ExpectBytes(payload, fmt.Sprintf("its own %d bytes back", len(payload)))
}
