// Package client is the checker's simulated client: a TCP connection that speaks to the
// server under test, records everything it sends and receives, and turns every wait into
// a deadline so that a silent server produces a message, never a hang.
package client

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Direction says which way an event went, seen from the simulated client.
type Direction string

// The kinds of event a transcript records.
const (
	Sent     Direction = "sent"
	Received Direction = "recv"
	Note     Direction = "note"
)

// Event is one line of a transcript.
type Event struct {
	At     time.Duration // since the log was made
	Client string
	Dir    Direction
	Data   string
}

// Log is the shared transcript of every simulated client in one scenario. It is safe for
// concurrent use: crowds of clients write to it from their own goroutines.
type Log struct {
	start time.Time

	mu     sync.Mutex // guards events
	events []Event
}

// NewLog returns an empty transcript whose clock starts now.
func NewLog() *Log { return &Log{start: time.Now()} }

// Add records one event.
func (l *Log) Add(client string, dir Direction, data string) {
	at := time.Since(l.start)
	l.mu.Lock()
	l.events = append(l.events, Event{At: at, Client: client, Dir: dir, Data: data})
	l.mu.Unlock()
}

// Events returns a copy of everything recorded so far, oldest first.
func (l *Log) Events() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}

// Render formats the transcript for a person, client by client. The clients in focus (the
// ones a failure names) come first, nearly in full; the others follow, each cut to
// perClient events, and at most maxClients clients are shown in all.
func (l *Log) Render(focus []string, perClient, maxClients int) string {
	byClient := map[string][]Event{}
	var order []string
	for _, e := range l.Events() {
		if _, ok := byClient[e.Client]; !ok {
			order = append(order, e.Client)
		}
		byClient[e.Client] = append(byClient[e.Client], e)
	}
	inFocus := map[string]bool{}
	for _, name := range focus {
		inFocus[name] = true
	}
	sort.SliceStable(order, func(i, j int) bool { return inFocus[order[i]] && !inFocus[order[j]] })

	var b strings.Builder
	shown := 0
	for _, name := range order {
		if shown == maxClients {
			fmt.Fprintf(&b, "    ... and %d more clients (the full transcript: TRANSCRIPT=file, or -transcript FILE)\n", len(order)-shown)
			break
		}
		shown++
		events := byClient[name]
		fmt.Fprintf(&b, "    %s:\n", name)
		if inFocus[name] {
			b.WriteString(renderFocused(events, maxFocused))
			continue
		}
		for i, e := range events {
			if i == perClient && perClient > 0 {
				fmt.Fprintf(&b, "      ... %d more events\n", len(events)-perClient)
				break
			}
			b.WriteString(formatEvent(e, false))
		}
	}
	return b.String()
}

// maxFocused bounds the events shown for a client in focus: a flood can give one client
// thousands, and what matters is how it began and how it ended.
const maxFocused = 60

// renderFocused shows all of a short history, or the first and last events of a long one.
func renderFocused(events []Event, max int) string {
	var b strings.Builder
	if len(events) <= max {
		for _, e := range events {
			b.WriteString(formatEvent(e, false))
		}
		return b.String()
	}
	head, tail := max/3, max-max/3
	for _, e := range events[:head] {
		b.WriteString(formatEvent(e, false))
	}
	fmt.Fprintf(&b, "      ... %d events left out (the full transcript: TRANSCRIPT=file, or -transcript FILE)\n", len(events)-head-tail)
	for _, e := range events[len(events)-tail:] {
		b.WriteString(formatEvent(e, false))
	}
	return b.String()
}

// RenderAll formats every event in time order, one per line, for a transcript file.
func (l *Log) RenderAll() string {
	var b strings.Builder
	for _, e := range l.Events() {
		b.WriteString(formatEvent(e, true))
	}
	return b.String()
}

// formatEvent renders one event on one line; withClient adds the client's name, for
// views where clients are interleaved.
func formatEvent(e Event, withClient bool) string {
	arrow := map[Direction]string{Sent: "→", Received: "←", Note: "·"}[e.Dir]
	data := e.Data
	if e.Dir != Note {
		data = Quote(data, 100)
	}
	if withClient {
		return fmt.Sprintf("%8.3fs %-12s %s %s\n", e.At.Seconds(), e.Client, arrow, data)
	}
	return fmt.Sprintf("      %8.3fs %s %s\n", e.At.Seconds(), arrow, data)
}

// Quote shows data as a Go string literal, so that \r, \n and binary bytes are visible,
// cut to about max bytes of input.
func Quote(data string, max int) string {
	if max > 0 && len(data) > max {
		return fmt.Sprintf("%q… (%d bytes in all)", data[:max], len(data))
	}
	return fmt.Sprintf("%q", data)
}
