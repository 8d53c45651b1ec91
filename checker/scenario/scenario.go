// Package scenario runs a lesson's checks: a table of scenarios, each a short function
// that drives simulated clients against a fresh server and returns an error that says
// exactly what went wrong.
package scenario

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"time"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/target"
)

// Lesson is one lesson's table of scenarios.
type Lesson struct {
	Number int
	Slug   string // the directory name under lessons/ and solutions/: "04-chat"
	Title  string

	// Flags are extra flags every start of this lesson's server gets, such as short
	// timeouts, so that a check takes seconds. In attach mode the learner passes them.
	Flags []string

	Scenarios []Scenario
}

// Scenario is one behaviour the checker verifies.
type Scenario struct {
	Name string // short and unique within the lesson, used with -run: "half-close"
	Doc  string // one sentence: what a passing server does

	// Hint is shown when this scenario fails and the failure carries no hint of its own:
	// the step of the lesson that this scenario checks, and the usual mistake.
	Hint string

	// Timeout bounds the whole scenario (before time scaling); zero means DefaultTimeout.
	Timeout time.Duration

	// NeedsProcess marks scenarios that control the server process (signals, exit
	// status); they are skipped when the checker attaches to a running server.
	NeedsProcess bool

	// Flags are extra server flags for this scenario only, after the lesson's.
	Flags []string

	Run func(*Env) error
}

// DefaultTimeout bounds a scenario that sets no Timeout of its own.
const DefaultTimeout = 20 * time.Second

// DefaultStep bounds each single wait of a simulated client.
const DefaultStep = 2 * time.Second

// Env is what a scenario works with: the server's address, a seeded random source, the
// transcript, and (unless attached) the server process.
type Env struct {
	Ctx    context.Context
	Addr   string
	Rand   *rand.Rand
	Scale  float64
	Log    *client.Log
	Server *target.Process // nil when the checker attached to a running server

	mu    sync.Mutex // guards conns
	conns []*client.Conn
}

// Scaled stretches d by the -timescale factor, for slow machines.
func (e *Env) Scaled(d time.Duration) time.Duration { return time.Duration(float64(d) * e.Scale) }

// Step is how long one wait of a simulated client may take.
func (e *Env) Step() time.Duration { return e.Scaled(DefaultStep) }

// Dial connects a simulated client called name. It is closed when the scenario ends.
func (e *Env) Dial(name string) (*client.Conn, error) {
	c, err := client.Dial(e.Ctx, e.Addr, name, e.Log, e.Step())
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.conns = append(e.conns, c)
	e.mu.Unlock()
	return c, nil
}

// Note adds a line to the transcript, to mark a phase of the scenario.
func (e *Env) Note(format string, args ...any) {
	e.Log.Add("checker", client.Note, fmt.Sprintf(format, args...))
}

// closeAll closes every client the scenario dialled; it unblocks any wait still running.
func (e *Env) closeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.conns {
		c.Release()
	}
	e.conns = nil
}
