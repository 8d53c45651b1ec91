package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gochat-course/gochat/checker/client"
	"github.com/gochat-course/gochat/checker/scenario"
)

// output collects what a command writes, safe for the goroutines of a check.
type output struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// testIO returns streams for a command under test: no input, no terminal.
func testIO() (stdio, *output, *output) {
	out, errOut := &output{}, &output{}
	return stdio{in: strings.NewReader(""), out: out, err: errOut}, out, errOut
}

// listen starts a server that accepts connections and closes them at once, for attach
// mode, and returns its address.
func listen(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// fakeLesson is a lesson whose scenarios pass or fail at once, without a server: a "+"
// in outcomes is a passing scenario, a "-" a failing one.
func fakeLesson(n int, slug, outcomes string) scenario.Lesson {
	l := scenario.Lesson{Number: n, Slug: slug, Title: "fake " + slug}
	for i, o := range outcomes {
		name := string(rune('a'+i)) + "-scenario"
		run := func(*scenario.Env) error { return nil }
		if o == '-' {
			run = func(*scenario.Env) error {
				return client.WithHint(client.Failf("alice", "the line \"hi\"", "nothing"), "step 1: say hi")
			}
		}
		l.Scenarios = append(l.Scenarios, scenario.Scenario{Name: name, Doc: "does " + name, Run: run})
	}
	return l
}

func TestDispatch(t *testing.T) {
	t.Run("help lists every command", func(t *testing.T) {
		sio, out, _ := testIO()
		require.Equal(t, exitPass, dispatch(context.Background(), []string{"help"}, sio))
		for _, c := range commands() {
			assert.Contains(t, out.String(), "  "+c.name+" ")
		}
	})
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{name: "an unknown lesson is a usage error", args: []string{"check", "-lesson", "99"}, status: exitUsage, stderr: "there is no lesson \"99\""},
		{name: "a lesson may be given without -lesson", args: []string{"99"}, status: exitUsage, stderr: "there is no lesson \"99\""},
		{name: "flags may follow the lesson", args: []string{"check", "99", "-v"}, status: exitUsage, stderr: "there is no lesson \"99\""},
		{name: "a stray argument is refused", args: []string{"check", "01", "02"}, status: exitUsage, stderr: "unexpected arguments: 02"},
		{name: "two targets are refused", args: []string{"check", "01", "-solution", "-addr", "127.0.0.1:1"}, status: exitUsage, stderr: "choose one of"},
		{name: "an attach without a lesson is refused", args: []string{"check", "-addr", "127.0.0.1:1"}, status: exitUsage, stderr: "which lesson?"},
		{name: "a command without a port is refused", args: []string{"check", "01", "-cmd", "python3 echo.py"}, status: exitUsage, stderr: "has no {port} or {addr}"},
		{name: "check -h is not an error", args: []string{"check", "-h"}, status: exitPass, stderr: "-timescale"},
		{name: "hint needs a lesson", args: []string{"hint"}, status: exitUsage, stderr: "which lesson?"},
		{name: "watch needs a lesson", args: []string{"watch"}, status: exitUsage, stderr: "which lesson?"},
		{name: "diff needs a lesson", args: []string{"diff"}, status: exitUsage, stderr: "which lesson?"},
		{name: "progress takes no lesson", args: []string{"progress", "01"}, status: exitUsage, stderr: "unexpected arguments: 01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sio, _, errOut := testIO()
			assert.Equal(t, tt.status, dispatch(context.Background(), tt.args, sio))
			assert.Contains(t, errOut.String(), tt.stderr)
		})
	}
}
